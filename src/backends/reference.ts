/**
 * @module
 * The reference backend: the textbook MLP of this folder behind the shared {@link Trainer}
 * interface. One training step is exactly the reference's {@link trainStep}: forward, MSE, backward, Adam.
 */

import { gatherInputs, type NetworkInputs } from "../encoding/inputs.js";
import { InvalidArgumentError, quote } from "../errors.js";
import { type MemoryPart, networkUnits } from "../limits.js";
import { type AdamOptions, type AdamState, createAdamState } from "../reference/adam.js";
import { allocate, type DType, type FloatArray } from "../reference/dtype.js";
import { layerSizes, type MLP, type MLPSpec, mlpForward, parameterArrays } from "../reference/mlp.js";
import { createStepBuffers, lossAndGradients, type StepBuffers, trainStep } from "../reference/step.js";
import { stepThroughEpoch } from "./batches.js";
import { checkedBackend, checkTrainerOptions } from "./checks.js";
import type { Backend, BatchGradients, EpochOptions, EpochProgress, LayerWeights, OptimizerSnapshot, Trainer, TrainerInfo, TrainerOptions } from "./types.js";

/**
 * A {@link Trainer} over the reference MLP.
 *
 * @example
 * ```ts
 * const trainer = new ReferenceTrainer(options);
 * const loss = trainer.step(inputs, targets, 1024, 1e-3);
 * ```
 */
export class ReferenceTrainer implements Trainer {
  readonly info: TrainerInfo = { backend: "reference", details: {} };
  readonly spec: MLPSpec;
  /** the network itself (weights live here) */
  readonly mlp: MLP;
  /** the tape, gradients and dL/dŷ a step writes */
  private readonly buffers: StepBuffers;
  private readonly adam: AdamOptions;
  private adamState: AdamState;
  private readonly batchX: FloatArray;
  private readonly batchY: FloatArray;

  /**
   * @param dtype - `float32` (default) or `float64` for gradient checks
   */
  constructor(options: TrainerOptions, dtype: DType = "float32") {
    checkTrainerOptions(options);
    if (dtype !== "float32" && dtype !== "float64")
      throw new InvalidArgumentError(`ReferenceTrainer: dtype must be "float32" or "float64", got ${quote(dtype)}`);
    this.spec = options.spec;
    const sizes = layerSizes(options.spec);
    this.mlp = {
      spec: options.spec,
      dtype,
      layers: sizes.slice(1).map((outputs, l) => ({ inputs: sizes[l], outputs, weight: allocate(dtype, outputs * sizes[l]), bias: allocate(dtype, outputs) })),
    };
    this.setWeights(options.weights);
    this.buffers = createStepBuffers(this.mlp, options.maxBatch);
    this.adam = options.adam;
    this.adamState = createAdamState(parameterArrays(this.mlp));
    this.batchX = allocate(dtype, options.maxBatch * options.spec.inputs);
    this.batchY = allocate(dtype, options.maxBatch * options.spec.outputs);
  }

  async predict(inputs: NetworkInputs, count: number): Promise<Float32Array> {
    const { inputs: nIn, outputs: nOut } = this.spec;
    const out = new Float32Array(count * nOut);
    const { tape } = this.buffers;
    for (let start = 0; start < count; start += tape.maxBatch) {
      const n = Math.min(tape.maxBatch, count - start);
      gatherInputs(inputs, nIn, this.batchX, n, start);
      out.set(mlpForward(this.mlp, tape, this.batchX, n), start * nOut);
    }
    return out;
  }

  async step(inputs: FloatArray, targets: FloatArray, count: number, lr: number): Promise<number> {
    return this.stepNow(inputs, targets, count, lr);
  }

  /**
   * The synchronous step behind {@link ReferenceTrainer.step}: the reference's {@link trainStep}
   * (forward, MSE, backward, Adam).
   *
   * @example
   * ```ts
   * const loss = trainer.stepNow(inputs, targets, 1024, 1e-3);
   * ```
   */
  stepNow(inputs: FloatArray, targets: FloatArray, count: number, lr: number): number {
    return trainStep(this.mlp, this.buffers, this.adamState, this.adam, inputs, targets, count, lr);
  }

  async gradients(inputs: FloatArray, targets: FloatArray, count: number): Promise<BatchGradients> {
    const loss = lossAndGradients(this.mlp, this.buffers, inputs, targets, count);
    // the prediction ŷ, still on the tape: a[L], row-major [batch][outputs]
    const outputs = Float32Array.from(this.buffers.tape.a[this.mlp.layers.length].subarray(0, count * this.spec.outputs));
    return { outputs, loss, grads: this.buffers.grads.map((g) => ({ weight: Float32Array.from(g.weight), bias: Float32Array.from(g.bias) })) };
  }

  async epoch(
    inputs: NetworkInputs,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    const buffers = { x: this.batchX, y: this.batchY, inputs: this.spec.inputs, outputs: this.spec.outputs };
    return stepThroughEpoch(inputs, targets, order, batchSize, buffers, options, (count) => this.stepNow(this.batchX, this.batchY, count, lr));
  }

  async getWeights(): Promise<LayerWeights[]> {
    return this.mlp.layers.map((layer) => ({ weight: Float32Array.from(layer.weight), bias: Float32Array.from(layer.bias) }));
  }

  setWeights(weights: LayerWeights[]): void {
    if (weights.length !== this.mlp.layers.length) throw new RangeError(`expected weights for ${this.mlp.layers.length} layers, got ${weights.length}`);
    this.mlp.layers.forEach((layer, l) => {
      if (weights[l].weight.length !== layer.weight.length || weights[l].bias.length !== layer.bias.length)
        throw new RangeError(`layer ${l}: expected weight [${layer.outputs}][${layer.inputs}] and bias [${layer.outputs}]`);
      layer.weight.set(weights[l].weight);
      layer.bias.set(weights[l].bias);
    });
  }

  async getOptimizerState(): Promise<OptimizerSnapshot> {
    return { step: this.adamState.step, m: this.adamState.m.map((a) => Float32Array.from(a)), v: this.adamState.v.map((a) => Float32Array.from(a)) };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    const fresh = createAdamState(parameterArrays(this.mlp));
    fresh.step = state.step;
    for (let k = 0; k < fresh.m.length; k++) {
      fresh.m[k].set(state.m[k]);
      fresh.v[k].set(state.v[k]);
    }
    this.adamState = fresh;
  }

  async dispose(): Promise<void> {}
}

/**
 * The reference backend's registry entry. It runs everywhere.
 *
 * @example
 * ```ts
 * registerBackend(referenceBackend);
 * ```
 */
export const referenceBackend: Backend = checkedBackend({
  name: "reference",
  priority: 0,
  description: "readable pure-TypeScript MLP with manual backprop (the truth the other backends are checked against)",
  probe: async () => ({ available: true }),
  create: async (options) => new ReferenceTrainer(options),
  memory: referenceMemory,
});

/** The reference's arrays: weights, gradients, Adam's m and v, and the tape's z, a and da per layer. */
function referenceMemory(spec: MLPSpec, batch: number): MemoryPart[] {
  const { params, units, outUnits, sizes } = networkUnits(spec);
  return [
    { what: "weights, gradients, Adam m and v", bytes: 4 * params * 4 },
    { what: `activations (${spec.depth} × ${spec.width} units, batch ${batch})`, bytes: (2 * units + outUnits + sizes[0] + 2 * spec.outputs) * batch * 4 },
  ];
}
