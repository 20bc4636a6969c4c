/**
 * @module
 * The interface every implementation of training shares: a {@link Backend} is a factory of
 * {@link Trainer}s, described once (name, priority, probe, memory estimate); a trainer owns one
 * network's weights and Adam state (wherever they live: JS arrays, WebAssembly memory, a GPU) and
 * trains it. Types only; the registry (`registry.ts`) finds backends by name.
 */

import type { Encoder } from "../encoding/encoder.js";
import type { NetworkInputs } from "../encoding/inputs.js";
import type { MemoryPart } from "../limits.js";
import type { AdamOptions } from "../reference/adam.js";
import type { MLPSpec } from "../reference/mlp.js";

/**
 * One dense layer's parameters, as plain float32 arrays in PyTorch's layout.
 *
 * @group Trainers
 */
export interface LayerWeights {
  /** row-major [outputs][inputs] */
  weight: Float32Array;
  /** [outputs] */
  bias: Float32Array;
}

/**
 * What {@link Trainer.gradients} returns: one batch's forward pass and backward pass, no step.
 *
 * @group Trainers
 */
export interface BatchGradients {
  /** the network's outputs, row-major [count][outputs] */
  readonly outputs: Float32Array;
  /** the batch's MSE loss */
  readonly loss: number;
  /** per layer, dL/dW (`weight`, row-major [outputs][inputs]) and dL/db (`bias`, [outputs]) */
  readonly grads: LayerWeights[];
}

/**
 * Adam's state in portable form: step count, then m and v in the order W₀, b₀, W₁, b₁, …
 *
 * @group Trainers
 */
export interface OptimizerSnapshot {
  /** steps taken so far */
  step: number;
  /** first moments, one array per parameter array */
  m: Float32Array[];
  /** second moments, one array per parameter array */
  v: Float32Array[];
}

/**
 * How a trainer is created: the network's shape, its optimiser settings and its first weights.
 *
 * @group Trainers
 */
export interface TrainerOptions {
  /** the network's shape and activations */
  readonly spec: MLPSpec;
  /** Adam's β₁, β₂, ε */
  readonly adam: AdamOptions;
  /** the initial weights (see the reference's `createMLP` for how they are drawn) */
  readonly weights: LayerWeights[];
  /** the largest batch the trainer will be given */
  readonly maxBatch: number;
}

/**
 * What a trainer reports about itself: the backend that actually runs and any details.
 *
 * @group Trainers
 */
export interface TrainerInfo {
  /** registry name of the backend that runs, e.g. `reference` */
  readonly backend: string;
  /** e.g. the executor or adapter; free-form, written into run records */
  readonly details: Readonly<Record<string, string>>;
}

/**
 * A network being trained. Inputs are row-major [count][inputs], targets and outputs
 * row-major [count][outputs], all float32. The computing methods return Promises, because GPU
 * backends read their results back asynchronously; the reference resolves them at once.
 *
 * @group Trainers
 */
export interface Trainer {
  /** which backend runs, and how */
  readonly info: TrainerInfo;
  /** the network's shape */
  readonly spec: MLPSpec;
  /**
   * Forward pass for `count` samples (any count; done in chunks of at most `maxBatch`): inputs
   * stored [count][spec.inputs], or coordinates encoded a chunk at a time.
   */
  predict(inputs: NetworkInputs, count: number): Promise<Float32Array>;
  /**
   * Optional: encode `count` points (row-major [count][2]) with `encoder` into `out` ([count][features])
   * in the backend's own kernels, bit for bit what `encoder.encode` gives; training builds its
   * stored inputs with it where a trainer has it.
   */
  encode?(encoder: Encoder, points: Float32Array, out: Float32Array, count: number): void;
  /**
   * One optimisation step on one batch: forward, MSE loss, backward, Adam at learning rate `lr`.
   * Returns the batch's loss before the step.
   */
  step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number>;
  /**
   * One epoch, or the rest of one: the samples `order[from…]` in batches of `batchSize` (the last
   * may be shorter), one {@link Trainer.step} each, gathered from the full data set
   * `inputs`/`targets` (inputs stored, or coordinates encoded as each batch is gathered). See
   * {@link EpochOptions} for resuming part-way and for stopping.
   */
  epoch(inputs: NetworkInputs, targets: Float32Array, order: Uint32Array, batchSize: number, lr: number, options?: EpochOptions): Promise<EpochProgress>;
  /**
   * One batch's forward outputs, MSE loss and every layer's gradients, without stepping: the
   * weights and Adam's state are left as they were. This is what kernel verification compares
   * (see `compareBackends`).
   */
  gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients>;
  /** A copy of the current weights (a GPU backend reads them back from the device, hence a Promise). */
  getWeights(): Promise<LayerWeights[]>;
  /** Replace the weights. */
  setWeights(weights: LayerWeights[]): void;
  /** A copy of Adam's state (read back from the device on a GPU backend). */
  getOptimizerState(): Promise<OptimizerSnapshot>;
  /** Replace Adam's state (to resume). */
  setOptimizerState(state: OptimizerSnapshot): void;
  /** Free what the trainer holds (device memory, workers). */
  dispose(): Promise<void>;
}

/**
 * A backend can run here.
 *
 * @group Trainers
 */
export interface ProbeAvailable {
  /** yes */
  readonly available: true;
  /** set when `auto` should pass it over although it runs (e.g. WebGPU on a software adapter), and why */
  readonly autoSkip?: string;
  /** what it runs on, e.g. the WebGPU adapter */
  readonly device?: string;
}

/**
 * A backend cannot run here, and why.
 *
 * @group Trainers
 */
export interface ProbeUnavailable {
  /** no */
  readonly available: false;
  /** one line a user can act on, e.g. `no WebGPU adapter answered` */
  readonly reason: string;
}

/**
 * A backend's answer to "can you run here?".
 *
 * @group Trainers
 */
export type ProbeResult = ProbeAvailable | ProbeUnavailable;

/**
 * Options of {@link Trainer.epoch}.
 *
 * @group Trainers
 */
export interface EpochOptions {
  /** where in `order` to start: 0 for a whole epoch, a multiple of the batch size when resuming */
  readonly from?: number;
  /** the loss sum of the part of the epoch already done (when resuming), so the total is summed in the same order as an uninterrupted epoch */
  readonly lossSum?: number;
  /**
   * Called with the position reached after each batch (a backend that runs many batches per call
   * may call it less often); when it returns true the epoch stops there.
   */
  readonly afterBatch?: (next: number) => boolean;
}

/**
 * What {@link Trainer.epoch} did.
 *
 * @group Trainers
 */
export interface EpochProgress {
  /** Σ over the epoch's batches so far of (batch loss × batch size), starting from `options.lossSum`: divide by the sample count for the mean loss */
  readonly lossSum: number;
  /** position in `order` reached: `order.length` when the epoch is complete */
  readonly next: number;
}

/**
 * A registered backend.
 *
 * @group Trainers
 */
export interface Backend {
  /** the name users type, e.g. `reference` */
  readonly name: string;
  /** one line on what it is */
  readonly description: string;
  /** `auto` picks the available backend of highest priority (as tfjs's `registerBackend(name, factory, priority)`) */
  readonly priority: number;
  /** whether it can run here; if not, why (loads its heavy modules only when asked) */
  probe(): Promise<ProbeResult>;
  /** build a trainer (only after a successful probe) */
  create(options: TrainerOptions): Promise<Trainer>;
  /**
   * Bytes a trainer of `spec` allocates for batches of up to `batch` samples, by part: what the
   * memory estimates of `train`, `render` and `compareBackends` add up. A backend that does not
   * say is estimated as gpu.js's kernels measured (`kernelOutputMemory`), about 20 floats a parameter.
   */
  memory?(spec: MLPSpec, batch: number): MemoryPart[];
  /** the most one trainer can hold, and in what (wasm: 4 GiB of WebAssembly memory); none where only the machine's memory bounds it */
  readonly memoryLimit?: MemoryLimit;
}

/**
 * The most memory one trainer of a backend can hold, whatever the machine has.
 *
 * @group Trainers
 */
export interface MemoryLimit {
  /** bytes */
  readonly bytes: number;
  /** what holds them, e.g. `WebAssembly memory` */
  readonly what: string;
}
