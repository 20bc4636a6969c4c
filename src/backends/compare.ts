/**
 * @module
 * Kernel verification: run two backends on the same network, weights and data and compare, tensor
 * by tensor, what they compute — the forward pass, the loss, every layer's gradients, and the
 * weights and Adam moments after a few steps — against a tolerance model that says how far two
 * correct float32 implementations may differ. The project's own parity suite calls this function,
 * so a kernel engineer checks a backend exactly as the tests do.
 *
 * The tolerance model. The float32 reference is only an approximation of the exact computation,
 * and its error depends on how well conditioned the network is (a deep sine network multiplies a
 * perturbation by up to 30 per layer). So the comparison measures that error for each case: it
 * runs the reference in float64 too, and backend `b` may differ from backend `a` by
 *
 *     C·|a − ref64| + factor·atol·scale + rtol·|a|,   C = 20, atol = rtol = 1e-4,
 *
 * where `scale` is the largest |a| of the tensor (sums cancel: a gradient entry near 0 is the
 * difference of terms as large as the largest entries, so its float32 error scales with them).
 * Why: a backend sums in float32 in its own order, so its deviation from the exact result is of
 * the order of the float32 reference's own deviation, |a − ref64|, plus a few float32 roundings
 * of dot products of ≤ 2048 terms (√n·2⁻²⁴ ≈ 3e-6 relative) — rounding the reference's float64
 * sums once does not show that accumulation error, so the atol term carries it. A sine layer
 * multiplies the error of its input by up to ω₀ = 30 (relu, tanh, sigmoid, elu: ≤ 1; gelu ≤ 1.13),
 * so sine networks get `factor` = 10. WGSL only promises sin/cos to 2⁻¹¹ ≈ 5e-4 absolute on
 * [−π, π] and sine networks feed them tens of radians: on `gpujs-webgpu` they get 300 per sine
 * layer (30·2⁻¹¹ ≈ 1.5e-2 relative per layer); `webgpu` computes its own sin and cos to about an
 * ulp, and is held to 10. Weights after Adam move by ≈ lr·m/√v per step; where a
 * gradient sits at its float32 noise floor (|g| < 1e-2·scale) m/√v can take either sign, so those
 * entries are held to the bound they cannot exceed, 2·k·lr after k steps; the others get 1e-2·factor
 * of their own update on top. NaN never equals anything. A wrong kernel gives O(1) relative errors.
 *
 * Approximated activations. The `wasm` backend computes GELU, ELU, tanh, sigmoid and sine (and
 * their derivatives) with float32 polynomial approximations (assembly/activations.ts), each within
 * ε·max(1, |f|) of the exact function with ε ≤ 2e−7 (tanh': 4e−7; sine's derivative 2e−7 of ω₀),
 * measured over the whole range by test/wasm-kernels.test.ts — a few float32 roundings, where the
 * float32 reference rounds each activation once. Such an error enters the next layer as one more
 * perturbation of its inputs, of at most ε of their scale; through the layers above it is
 * multiplied by their gain (≤ 1.13 per layer; ω₀ = 30 per sine layer, which `factor` covers), so
 * over the deepest network the parity suite draws (5 hidden layers) it adds at most about
 * 5·1.13⁵·4e−7 ≈ 4e−6 of a tensor's scale, 25 times under the atol term (1e−4·scale). The
 * tolerances were not widened for it.
 */

import { z } from "zod";
import { checkArg } from "../args.js";
import { intIn, MAX_NETWORK_DEPTH } from "../config.js";
import { quote } from "../errors.js";
import { BudgetError, COMPARE_MAX_BYTES, checkMemory, type MemoryPart, parameterCount, trainerMemory, withAllowance } from "../limits.js";
import { ACTIVATION_NAMES, type ActivationName } from "../reference/activations/index.js";
import { createMLP, type MLPSpec } from "../reference/mlp.js";
import { Rng } from "../reference/rng.js";
import { epochOrder } from "../reference/shuffle.js";
import { ReferenceTrainer, referenceBackend } from "./reference.js";
import { requireBackend } from "./registry.js";
import type { Backend, LayerWeights, Trainer, TrainerInfo, TrainerOptions } from "./types.js";

/** C: how many times the float32 reference's own error a backend may be off by. */
const CONDITIONING = 20;
/** atol: the part of the bound proportional to the tensor's scale. */
const ATOL = 1e-4;
/** rtol: the part of the bound proportional to each entry. */
const RTOL = 1e-4;

/** Options of {@link compareBackends}; every one has a default. */
export interface CompareOptions {
  /** the network (default: the study's, 2 → 4×128 ReLU → 3 sigmoid) */
  readonly spec?: MLPSpec;
  /** samples per batch (default 1024) */
  readonly batch?: number;
  /** Adam steps after the gradient check, the last on a short batch (default 3) */
  readonly steps?: number;
  /** seed of the weights and the data (default 0) */
  readonly seed?: number;
  /** learning rate of the steps (default 1e-3) */
  readonly lr?: number;
  /**
   * refuse (with a BudgetError) a comparison whose estimated memory is larger, in bytes
   * (default 4 GiB: what one WebAssembly memory holds, about what a browser tab may use)
   */
  readonly maxBytes?: number;
}

/** The entry of a tensor farthest out of (or closest to) its bound. */
export interface WorstEntry {
  /** index in the flattened tensor */
  readonly index: number;
  /** backend b's value */
  readonly actual: number;
  /** backend a's value */
  readonly expected: number;
  /** the float64 reference's value */
  readonly float64: number;
  /** the tolerance at that entry */
  readonly bound: number;
}

/** One tensor compared. */
export interface TensorComparison {
  /** e.g. `forward`, `loss`, `grad layers.2.weight`, `layers.2.weight after 3 steps`, `adam.m layers.0.bias` */
  readonly name: string;
  /** entries compared */
  readonly size: number;
  /** largest |b − a| */
  readonly maxAbs: number;
  /** largest |b − a| over the tensor's scale (its largest |a|) */
  readonly maxRel: number;
  /** largest |b − a| / bound: at most 1 passes */
  readonly worstRatio: number;
  /** the entry with the worst ratio (null for an empty tensor or one of the wrong size) */
  readonly worst: WorstEntry | null;
  /** every entry within its bound (and none NaN) */
  readonly pass: boolean;
}

/** What {@link compareBackends} found. */
export interface Comparison {
  /** the backend compared against, as it reported itself */
  readonly a: TrainerInfo;
  /** the backend checked, as it reported itself */
  readonly b: TrainerInfo;
  /** the network compared */
  readonly spec: MLPSpec;
  /** batch size, steps, seed and learning rate used */
  readonly batch: number;
  /** Adam steps taken */
  readonly steps: number;
  /** seed of weights and data */
  readonly seed: number;
  /** the tolerance multiplier used (1; 10 for sine networks; 300 per sine layer on gpujs-webgpu) */
  readonly factor: number;
  /** every tensor within tolerance */
  readonly pass: boolean;
  /** the tensors, in the order computed */
  readonly tensors: TensorComparison[];
}

/** The study's network. */
const STUDY_SPEC: MLPSpec = { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" };

// #region arguments: what enters compareBackends, checked before anything is built (one schema, the config's pieces)
const activation = z.enum(ACTIVATION_NAMES as [ActivationName, ...ActivationName[]], { error: `must be one of ${ACTIVATION_NAMES.join(", ")}` });
const optionsSchema = z.strictObject(
  {
    spec: z
      .strictObject(
        {
          inputs: intIn(1, 4096),
          outputs: intIn(1, 4096),
          width: intIn(1, 4096),
          depth: intIn(1, 4096),
          activation,
          outputActivation: activation,
        },
        { error: "must be a network { inputs, outputs, width, depth, activation, outputActivation }" },
      )
      .default(STUDY_SPEC),
    batch: intIn(1, 65536).default(1024),
    steps: intIn(1, 1000).default(3),
    seed: z
      .number({ error: "must be a whole number from 0 to 2⁵³ − 1" })
      .int({ error: "must be a whole number from 0 to 2⁵³ − 1" })
      .min(0, { error: "must be a whole number from 0 to 2⁵³ − 1" })
      .default(0),
    lr: z
      .number({ error: "must be a number between 0 and 1" })
      .gt(0, { error: "must be a number between 0 and 1" })
      .lt(1, { error: "must be a number between 0 and 1" })
      .default(1e-3),
    maxBytes: z.unknown().optional(),
  },
  { error: "must be an object of options { spec, batch, steps, seed, lr, maxBytes }" },
);
/** A backend as given: a registered name, or an object with the {@link Backend} interface. */
const backendSchema = z.union(
  [z.string(), z.looseObject({ name: z.string(), probe: z.custom((v) => typeof v === "function"), create: z.custom((v) => typeof v === "function") })],
  {
    error: 'must be a backend name such as "reference" or "wasm", or a Backend { name, probe, create }',
  },
);

/** The options as checked: every default filled in but `maxBytes`, which {@link checkBudget} judges. */
type CheckedOptions = Required<Omit<CompareOptions, "maxBytes">> & Pick<CompareOptions, "maxBytes">;

function checkOptions(a: unknown, b: unknown, options: unknown): CheckedOptions {
  checkArg("compareBackends", "a", backendSchema, a);
  checkArg("compareBackends", "b", backendSchema, b);
  return checkArg("compareBackends", "", optionsSchema, options === undefined ? {} : options) as CheckedOptions;
}
// #endregion arguments

/** Compare `actual` with `expected` entry by entry under the tolerance model. */
function compareTensor(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  float64: ArrayLike<number>,
  factor: number,
  extra?: (k: number) => number,
): TensorComparison {
  if (actual.length !== expected.length)
    return { name, size: expected.length, maxAbs: Number.NaN, maxRel: Number.NaN, worstRatio: Number.POSITIVE_INFINITY, worst: null, pass: false };
  let scale = 0;
  for (let k = 0; k < expected.length; k++) scale = Math.max(scale, Math.abs(expected[k]));
  let maxAbs = 0;
  let worstRatio = 0;
  let worst: TensorComparison["worst"] = null;
  let pass = true;
  for (let k = 0; k < expected.length; k++) {
    const err = Math.abs(actual[k] - expected[k]);
    const bound = extra?.(k) ?? CONDITIONING * Math.abs(expected[k] - float64[k]) + factor * ATOL * scale + RTOL * Math.abs(expected[k]);
    // NaN fails everywhere: !(NaN <= x)
    const ratio = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err === 0 ? 0 : err / bound;
    if (!(err <= bound)) pass = false;
    if (worst === null || ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: k, actual: actual[k], expected: expected[k], float64: float64[k], bound };
    }
    maxAbs = Number.isNaN(err) || Number.isNaN(maxAbs) ? Number.NaN : Math.max(maxAbs, err);
  }
  return { name, size: expected.length, maxAbs, maxRel: scale > 0 ? maxAbs / scale : maxAbs, worstRatio, worst, pass };
}

const flatten = (weights: LayerWeights[]) => weights.flatMap((w) => [w.weight, w.bias]);
const tensorNames = (depth: number) => Array.from({ length: depth + 1 }, (_, l) => [`layers.${l}.weight`, `layers.${l}.bias`]).flat();

/**
 * The tolerance multiplier for a network on a backend: 1; 10 for sine networks (a sine layer
 * multiplies its input's error by up to ω₀ = 30); 300 per sine layer on `gpujs-webgpu` (WGSL's sin is
 * only promised to 2⁻¹¹ absolute).
 */
function toleranceFactor(spec: MLPSpec, backend: string): number {
  if (spec.activation !== "sine") return 1;
  return backend === "gpujs-webgpu" ? 300 * spec.depth : 10;
}

// #region memory bound (issue #17, class 5): a comparison that cannot fit is refused before anything is allocated
/**
 * Bytes `compareBackends` allocates to compare backends `a` and `b` on `spec` with batches of
 * `batch` over `steps` steps: both trainers, the float64 reference (twice the float32 one's bytes),
 * the initial network, 14 copies of the parameters (three sets of gradients, the weights before the
 * steps, three Adam states of m and v, three sets of weights after), and the data (inputs,
 * targets, three sets of predictions of every sample), and 32 MiB for the backends' threads and code.
 */
function compareMemory(spec: MLPSpec, a: Backend, b: Backend, batch: number, steps: number): MemoryPart[] {
  const params = parameterCount(spec);
  const samples = (steps - 1) * batch + Math.max(1, Math.ceil(batch / 2));
  const float64 = trainerMemory(spec, referenceBackend, batch).reduce((n, p) => n + 2 * p.bytes, 0);
  const named = (backend: Backend) => (part: MemoryPart) => ({ what: `${backend.name}: ${part.what}`, bytes: part.bytes });
  return withAllowance([
    ...trainerMemory(spec, a, batch).map(named(a)),
    ...trainerMemory(spec, b, batch).map(named(b)),
    { what: "the float64 reference trainer", bytes: float64 },
    { what: "the initial network and 14 copies of its parameters", bytes: 15 * params * 4 },
    { what: `inputs, targets and predictions of ${samples} samples`, bytes: samples * (spec.inputs + 4 * spec.outputs) * 4 },
    // measured: up to 17 MB beyond the arrays whatever their size (the threads' heaps, compiled code)
    { what: "the backends' threads and code", bytes: 32 * 2 ** 20 },
  ]);
}

/**
 * Refuse, with a BudgetError, a comparison deeper than {@link MAX_NETWORK_DEPTH} or whose estimated
 * memory (`compareMemory`: both trainers, the float64 reference, the copies and the data) is above
 * `maxBytes` (default {@link COMPARE_MAX_BYTES}).
 */
function checkBudget(spec: MLPSpec, a: Backend, b: Backend, batch: number, steps: number, maxBytes = COMPARE_MAX_BYTES): void {
  if (!(typeof maxBytes === "number" && maxBytes > 0))
    throw new BudgetError(`compareBackends: maxBytes must be a number of bytes above 0, got ${quote(maxBytes)}`);
  if (spec.depth > MAX_NETWORK_DEPTH)
    throw new BudgetError(`compareBackends: spec.depth is ${spec.depth}, deeper than any network coordnet trains (at most ${MAX_NETWORK_DEPTH} hidden layers)`);
  try {
    checkMemory(
      compareMemory(spec, a, b, batch, steps),
      maxBytes,
      `compare a narrower or shallower network (spec.width ${spec.width}, spec.depth ${spec.depth}), a smaller batch (${batch}) or fewer steps (${steps}), or raise options.maxBytes`,
    );
  } catch (e) {
    throw e instanceof BudgetError ? new BudgetError(`compareBackends: ${e.message}`) : e;
  }
}
// #endregion

async function resolve(backend: string | Backend): Promise<Backend> {
  return typeof backend === "string" ? requireBackend(backend) : backend;
}

/**
 * Check backend `b` against backend `a` (usually `"reference"`): the same network, initial weights
 * and data on both; compared are the predictions for every sample (through {@link Trainer.predict},
 * in chunks), the forward pass, the loss and every layer's gradients of one batch (through
 * {@link Trainer.gradients}), then the loss of each of `steps` Adam steps (the last
 * batch short, as an epoch's last batch can be), the weights and Adam's moments after them. Each
 * tensor is held to the tolerance model described in this module's documentation; the float64
 * reference is run alongside to measure how well conditioned the case is.
 *
 * @param a - the backend to compare against: a registered name (or `auto`), or a {@link Backend}
 * @param b - the backend to check, likewise
 * @throws InvalidArgumentError (a CoordnetError) for arguments of the wrong kind or out of range; BackendUnavailableError for a backend that cannot run here
 *
 * @example
 * ```ts
 * const result = await compareBackends("reference", "wasm"); // the study's network, one batch of 1024, 3 steps
 * for (const t of result.tensors) console.log(t.name, t.maxAbs, t.pass ? "ok" : "FAIL");
 * ```
 */
export async function compareBackends(a: string | Backend, b: string | Backend, options: CompareOptions = {}): Promise<Comparison> {
  const { spec, batch, steps, seed, lr, maxBytes } = checkOptions(a, b, options);
  const [backendA, backendB] = [await resolve(a), await resolve(b)];
  checkBudget(spec, backendA, backendB, batch, steps, maxBytes);
  const mlp = createMLP(spec, new Rng(seed, "init"), spec.activation === "sine" ? "siren" : "torch");
  const trainerOptions: TrainerOptions = {
    spec,
    adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })),
    maxBatch: batch,
  };
  // data: the gradient batch, then `steps` batches of which the last is short
  const rng = new Rng(seed, "data");
  const n = (steps - 1) * batch + Math.max(1, Math.ceil(batch / 2));
  const inputs = Float32Array.from({ length: n * spec.inputs }, () => rng.uniform(-1, 1));
  const targets = Float32Array.from({ length: n * spec.outputs }, () => rng.next());
  const g = Math.min(batch, n);
  const gInputs = inputs.subarray(0, g * spec.inputs);
  const gTargets = targets.subarray(0, g * spec.outputs);

  const r64 = new ReferenceTrainer(trainerOptions, "float64");
  const trainers: Trainer[] = [];
  try {
    trainers.push(await backendA.create(trainerOptions));
    trainers.push(await backendB.create(trainerOptions));
    const [ta, tb] = trainers;
    const factor = toleranceFactor(spec, tb.info.backend);
    const names = tensorNames(spec.depth);
    const tensors: TensorComparison[] = [];

    // every sample through predict (chunked by maxBatch), then one batch: forward, loss, gradients (no step)
    const [pa, pb, p64] = [await ta.predict(inputs, n), await tb.predict(inputs, n), await r64.predict(inputs, n)];
    tensors.push(compareTensor(`predict (${n} samples)`, pb, pa, p64, factor));

    const [ga, gb, g64] = [await ta.gradients(gInputs, gTargets, g), await tb.gradients(gInputs, gTargets, g), await r64.gradients(gInputs, gTargets, g)];
    tensors.push(compareTensor("forward", gb.outputs, ga.outputs, g64.outputs, factor));
    tensors.push(compareTensor("loss", [gb.loss], [ga.loss], [g64.loss], factor));
    const [gradA, gradB, grad64] = [flatten(ga.grads), flatten(gb.grads), flatten(g64.grads)];
    gradA.forEach((expected, k) => {
      tensors.push(compareTensor(`grad ${names[k]}`, gradB[k] ?? [], expected, grad64[k], factor));
    });

    // `steps` Adam steps: an epoch over the data in a seeded order, its last batch short
    const order = epochOrder(n, new Rng(seed, "shuffle"));
    const before = flatten(await ta.getWeights());
    const losses = [];
    for (const t of [ta, tb, r64]) losses.push((await t.epoch(inputs, targets, order, batch, lr)).lossSum / n);
    tensors.push(compareTensor(`mean loss of ${steps} steps`, [losses[1]], [losses[0]], [losses[2]], factor));
    const [sa, sb, s64] = await Promise.all([ta, tb, r64].map((t) => t.getOptimizerState()));
    tensors.push(compareTensor("adam step count", [sb.step], [sa.step], [s64.step], 0, () => 0));
    sa.m.forEach((m, k) => {
      tensors.push(compareTensor(`adam.m ${names[k]}`, sb.m[k] ?? [], m, s64.m[k], factor));
    });
    sa.v.forEach((v, k) => {
      tensors.push(compareTensor(`adam.v ${names[k]}`, sb.v[k] ?? [], v, s64.v[k], factor));
    });
    const [wa, wb, w64] = (await Promise.all([ta, tb, r64].map((t) => t.getWeights()))).map(flatten);
    wa.forEach((expected, k) => {
      const gScale = gradA[k].reduce((s, x) => Math.max(s, Math.abs(x)), 0);
      const noisy = (i: number) => Math.abs(gradA[k][i]) < 1e-2 * gScale;
      let scale = 0;
      for (const x of expected) scale = Math.max(scale, Math.abs(x));
      const bound = (i: number) =>
        noisy(i)
          ? 2 * steps * lr + 1e-6
          : CONDITIONING * Math.abs(expected[i] - w64[k][i]) +
            factor * ATOL * scale +
            RTOL * Math.abs(expected[i]) +
            factor * 1e-2 * Math.abs(expected[i] - before[k][i]);
      tensors.push(compareTensor(`${names[k]} after ${steps} steps`, wb[k] ?? [], expected, w64[k], factor, bound));
    });
    return { a: ta.info, b: tb.info, spec, batch, steps, seed, factor, pass: tensors.every((t) => t.pass), tensors };
  } finally {
    for (const t of trainers) await t.dispose();
  }
}
