/**
 * @module
 * The trainer boundary: weights and Adam moments checked against the network's shape (every value
 * finite), trainer options, and {@link checkedBackend}, which applies the same checks to whatever
 * any backend is given. The model and checkpoint readers (`io/`) use the same checks, so a bad
 * file and a bad argument are refused with the same line. Browser-safe.
 */

import { MAX_BATCH_SIZE } from "../config.js";
import { EncodedOnDemand } from "../encoding/inputs.js";
import { InvalidArgumentError, ModelFileError, quote, readingArgument } from "../errors.js";
import { ACTIVATION_NAMES } from "../reference/activations/index.js";
import { layerSizes, type MLPSpec } from "../reference/mlp.js";
import type { Backend, LayerWeights, OptimizerSnapshot, Trainer, TrainerOptions } from "./types.js";

/** Index of the first value that is NaN or ±∞, or −1. */
function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/**
 * Refuse an array of `expected` values that has another length or holds a NaN or an infinity.
 *
 * @throws {@link ModelFileError} naming `name`, the index and the value
 *
 * @example
 * ```ts
 * checkValues("layers.0.bias", bias, 128);
 * ```
 *
 * @group Trainer boundary
 */
export function checkValues(name: string, data: ArrayLike<number> | undefined, expected: number): void {
  if (data === undefined) throw new ModelFileError(`${name} is missing`);
  if (data === null || typeof data !== "object" || typeof data.length !== "number")
    throw new ModelFileError(`${name} is ${quote(data)}, not an array of numbers`);
  if (data.length !== expected) throw new ModelFileError(`${name} has ${data.length} values, expected ${expected}`);
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new ModelFileError(`${name}[${bad}] is ${quote(data[bad])}: every value must be finite`);
}

/** The parameter arrays of a network, in the order W₀, b₀, W₁, b₁, … with their names and lengths. */
function parameterShapes(spec: MLPSpec): { name: string; length: number }[] {
  const sizes = layerSizes(spec);
  return sizes.slice(1).flatMap((nOut, l) => [
    { name: `layers.${l}.weight`, length: nOut * sizes[l] },
    { name: `layers.${l}.bias`, length: nOut },
  ]);
}

/**
 * Refuse weights that do not fit `spec` (one weight and one bias per layer, lengths [out·in] and
 * [out]) or hold a non-finite value.
 *
 * @throws {@link ModelFileError}
 *
 * @example
 * ```ts
 * checkWeights(networkSpec(config), weights);
 * ```
 *
 * @group Trainer boundary
 */
export function checkWeights(spec: MLPSpec, weights: readonly LayerWeights[]): void {
  const shapes = parameterShapes(spec);
  if (!Array.isArray(weights) || weights.length !== shapes.length / 2)
    throw new ModelFileError(`the network has ${shapes.length / 2} layers, but ${Array.isArray(weights) ? weights.length : "no"} sets of weights were given`);
  weights.forEach((w, l) => {
    checkValues(shapes[2 * l].name, w?.weight, shapes[2 * l].length);
    checkValues(shapes[2 * l + 1].name, w?.bias, shapes[2 * l + 1].length);
  });
}

/**
 * Refuse an Adam state that does not fit `spec`: the step a whole number ≥ 0, one m and one v per
 * parameter array (W₀, b₀, W₁, …) of its length, every value finite, v ≥ 0.
 *
 * @throws {@link ModelFileError}
 *
 * @example
 * ```ts
 * checkOptimizerState(networkSpec(config), checkpoint.optimizer);
 * ```
 *
 * @group Trainer boundary
 */
export function checkOptimizerState(spec: MLPSpec, state: OptimizerSnapshot): void {
  const shapes = parameterShapes(spec);
  if (!Number.isSafeInteger(state?.step) || state.step < 0) throw new ModelFileError(`Adam's step count is ${quote(state?.step)}, not a whole number ≥ 0`);
  for (const [label, moments] of [
    ["m", state.m],
    ["v", state.v],
  ] as const) {
    if (!Array.isArray(moments) || moments.length !== shapes.length)
      throw new ModelFileError(
        `Adam's ${label} has ${Array.isArray(moments) ? moments.length : "no"} arrays, expected ${shapes.length} (one per weight and bias)`,
      );
    moments.forEach((a, k) => {
      checkValues(`adam.${label}.${k} (for ${shapes[k].name})`, a, shapes[k].length);
    });
  }
  state.v.forEach((a, k) => {
    const i = a.findIndex((x) => x < 0);
    if (i >= 0) throw new ModelFileError(`adam.v.${k}[${i}] is ${a[i]}: a second moment cannot be negative`);
  });
}

/**
 * Float32 data for a trainer call: a Float32Array as it is; a number[] (or another array-like of
 * numbers) copied into one; anything else, or too short, refused in one line.
 */
function floats(what: string, x: unknown, needed: number): Float32Array {
  if (x instanceof Float32Array) {
    if (x.length < needed) throw new InvalidArgumentError(`${what} has ${x.length} values, needs ${needed}`);
    return x;
  }
  if (x === null || typeof x !== "object" || typeof (x as ArrayLike<number>).length !== "number")
    throw new InvalidArgumentError(`${what} must be a Float32Array or an array of numbers, got ${x === null ? "null" : typeof x}`);
  const a = Float32Array.from(x as ArrayLike<number>);
  if (a.length < needed) throw new InvalidArgumentError(`${what} has ${a.length} values, needs ${needed}`);
  return a;
}

/** `count` as a whole number from 0 to `max`; `maxName` names where the limit comes from (the trainer's `maxBatch`). */
function checkCount(count: unknown, max: number, what: string, maxName = ""): number {
  if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > max)
    throw new InvalidArgumentError(`${what} must be a whole number from 0 to ${maxName ? `${maxName} ` : ""}${max}, got ${quote(count)}`);
  return count as number;
}

/** Accept number[] where a trainer takes Float32Array, and refuse short arrays and bad counts, at every computing method. */
function checkArrays(trainer: Trainer, maxBatch: number): void {
  const { inputs: F, outputs: C } = trainer.spec;
  const predict = trainer.predict.bind(trainer);
  const step = trainer.step.bind(trainer);
  const gradients = trainer.gradients.bind(trainer);
  trainer.predict = async (inputs, count) => {
    const n = checkCount(count, Number.MAX_SAFE_INTEGER, "predict's count");
    return predict(inputs instanceof EncodedOnDemand ? inputs : floats("predict's inputs", inputs, n * F), n);
  };
  trainer.step = async (inputs, targets, count, lr) => {
    const n = checkCount(count, maxBatch, "step's count", "maxBatch");
    if (!(typeof lr === "number" && lr >= 0 && Number.isFinite(lr)))
      throw new InvalidArgumentError(`step's learning rate must be a finite number ≥ 0, got ${String(lr)}`);
    return step(floats("step's inputs", inputs, n * F), floats("step's targets", targets, n * C), n, lr);
  };
  trainer.gradients = async (inputs, targets, count) => {
    const n = checkCount(count, maxBatch, "gradients' count", "maxBatch");
    return gradients(floats("gradients' inputs", inputs, n * F), floats("gradients' targets", targets, n * C), n);
  };
}

/** Backends already behind the trainer boundary (a second `checkedBackend` returns them as they are). */
const checked = new WeakSet<Backend>();

/**
 * Refuse trainer options that do not describe a network a trainer can build: `spec` whole sizes
 * and known activations, Adam's β₁, β₂ in [0, 1) and ε > 0, a largest batch ≥ 1, and weights that
 * fit the spec (finite, the right lengths). What `create` of every backend, and the reference
 * trainer's constructor, check first.
 *
 * @throws {@link InvalidArgumentError} or {@link ModelFileError} (bad weights), one readable line
 *
 * @example
 * ```ts
 * checkTrainerOptions({ spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights, maxBatch: 1024 });
 * ```
 *
 * @group Trainer boundary
 */
export function checkTrainerOptions(options: TrainerOptions): void {
  readingArgument("a trainer", "options", () => checkTrainerFields(options));
}

function checkTrainerFields(options: TrainerOptions): void {
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError(`a trainer's options must be { spec, adam, weights, maxBatch }, got ${quote(options)}`);
  const { spec, maxBatch, adam } = options;
  if (spec === null || typeof spec !== "object")
    throw new InvalidArgumentError(`a trainer's spec must be { inputs, outputs, width, depth, activation, outputActivation }, got ${quote(spec)}`);
  for (const [key, min] of [
    ["inputs", 1],
    ["outputs", 1],
    ["width", 1],
    ["depth", 0],
  ] as const)
    if (!Number.isSafeInteger(spec[key]) || spec[key] < min)
      throw new ModelFileError(`the network's ${key} is ${quote(spec[key])}, not a whole number ≥ ${min}`);
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_SIZE)
    throw new ModelFileError(`the largest batch is ${quote(maxBatch)}, not a whole number from 1 to ${MAX_BATCH_SIZE}`);
  for (const key of ["activation", "outputActivation"] as const)
    if (!(ACTIVATION_NAMES as readonly string[]).includes(spec[key]))
      throw new InvalidArgumentError(`spec.${key} must be one of ${ACTIVATION_NAMES.join(", ")}, got ${quote(spec[key])}`);
  if (adam === null || typeof adam !== "object") throw new InvalidArgumentError(`a trainer's adam must be { beta1, beta2, eps }, got ${quote(adam)}`);
  for (const key of ["beta1", "beta2"] as const)
    if (!(typeof adam[key] === "number" && adam[key] >= 0 && adam[key] < 1))
      throw new InvalidArgumentError(`adam.${key} must be a number in [0, 1), got ${quote(adam[key])}`);
  if (!(typeof adam.eps === "number" && adam.eps > 0 && Number.isFinite(adam.eps)))
    throw new InvalidArgumentError(`adam.eps must be a positive number, got ${quote(adam.eps)}`);
  checkWeights(spec, options.weights);
}

/**
 * The trainer boundary: a backend whose trainers get only checked inputs. `create` checks the
 * network's shape and the initial weights, and the trainer's `setWeights` and
 * `setOptimizerState` check what they are given, so every backend refuses the same bad model or
 * checkpoint with the same {@link ModelFileError} before touching its own memory.
 *
 * @example
 * ```ts
 * registerBackend(checkedBackend(referenceBackend)); // what registerBackend does itself
 * ```
 *
 * @group Trainer boundary
 */
export function checkedBackend(backend: Backend): Backend {
  if (checked.has(backend)) return backend;
  // everything of the backend (name, priority, probe, …) with a checked create
  const wrapped = Object.assign(Object.create(backend) as Backend, {
    create: async (options: TrainerOptions): Promise<Trainer> => {
      checkTrainerOptions(options);
      const { maxBatch } = options;
      const trainer = await backend.create(options);
      checkArrays(trainer, maxBatch);
      const setWeights = trainer.setWeights.bind(trainer);
      const setOptimizerState = trainer.setOptimizerState.bind(trainer);
      trainer.setWeights = (weights) => {
        checkWeights(trainer.spec, weights);
        setWeights(weights);
      };
      trainer.setOptimizerState = (state) => {
        checkOptimizerState(trainer.spec, state);
        setOptimizerState(state);
      };
      return trainer;
    },
  });
  checked.add(wrapped);
  return wrapped;
}
