/**
 * @module
 * The `wasm` backend: the reference's training step (`reference/mlp.ts`), step for step, in
 * WebAssembly kernels (`assembly/`, compiled by AssemblyScript at build time): SIMD matrix products
 * in 4×8 register tiles with the bias and the activation (float32 SIMD approximations within
 * stated bounds, assembly/activations.ts) fused in, the bias gradient summed while dz is
 * transposed, and Adam in f64 (bit for bit the reference's). The MSE, a few thousand values per step, is the
 * reference's own function over a view of the kernels' memory. The epoch's batch loop stays in
 * JavaScript, one kernel call after another, so that an epoch can stop after any batch and resume
 * exactly there.
 *
 * The plumbing lives beside this file: module.ts loads the kernels, memory.ts lays out every
 * buffer once (a step allocates none), team.ts and parallel.ts cut the large kernels into parts
 * that every thread may run (protocol.ts: how threads share a call; worker.ts: a helper).
 */

import type { Encoder } from "../../encoding/encoder.js";
import { EncodedOnDemand, gatherInputs, type NetworkInputs } from "../../encoding/inputs.js";
import type { ActivationName } from "../../reference/activations/index.js";
import { adamCorrections } from "../../reference/adam.js";
import type { FloatArray } from "../../reference/dtype.js";
import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import { mseBackward, mseForward } from "../../reference/mse.js";
import { stepThroughEpoch } from "../batches.js";
import type {
  BatchGradients,
  EpochOptions,
  EpochProgress,
  LayerWeights,
  OptimizerSnapshot,
  ProbeResult,
  Trainer,
  TrainerInfo,
  TrainerOptions,
} from "../types.js";
import { sharedMemoryUnavailable } from "./host.js";
import { type LayerRegions, type MemoryPlan, NARROW, planMemory, type Region } from "./memory.js";
import { DERIVATIVE_FROM_A, instantiate, type Kernels, kernelBuild, loadKernels, WASM_ACTIVATIONS } from "./module.js";
import { parallelKernels, usefulThreads } from "./parallel.js";
import { Team, type TeamOptions, threadCount } from "./team.js";

/** Options of a {@link WasmTrainer} beyond the {@link TrainerOptions} every trainer takes. */
export interface WasmTrainerOptions extends TeamOptions {
  /**
   * Threads in all (this one included). Default: `COORDNET_THREADS` if set, else the cores Node
   * reports; capped by what the network's largest matrix product can be cut into.
   */
  readonly threads?: number;
}

/**
 * A {@link Trainer} running the reference's step with WebAssembly kernels on one or more threads
 * (see the module's description).
 *
 * @example
 * ```ts
 * const trainer = new WasmTrainer(options, { threads: 2 });
 * await trainer.ready();
 * await trainer.epoch(inputs, targets, order, 1024, 1e-3);
 * ```
 */
export class WasmTrainer implements Trainer {
  readonly spec: MLPSpec;
  readonly info: TrainerInfo;
  /** the kernels, the large calls cut into parts for the team */
  private readonly k: Kernels;
  private readonly team: Team;
  private readonly mem: MemoryPlan;
  private readonly layers: LayerRegions[];
  private readonly B: number;
  private readonly adam: TrainerOptions["adam"];
  private adamStep = 0;
  /** whether every Wt holds the current W */
  private transposed = false;

  constructor(options: TrainerOptions, wasmOptions: WasmTrainerOptions = {}) {
    this.spec = options.spec;
    this.adam = options.adam;
    this.B = options.maxBatch;
    const build = kernelBuild();
    this.mem = planMemory(options.spec, this.B, build.heapBase);
    this.layers = this.mem.layers;
    const threads = threadCount(wasmOptions.threads, usefulThreads(layerSizes(options.spec), this.B));
    const kernels = instantiate(build.module, this.mem.memory);
    this.team = new Team(build.module, this.mem.memory, threads, kernels as unknown as Record<string, unknown>, wasmOptions);
    this.k = parallelKernels(kernels, this.team);
    const kernelName = `AssemblyScript f32x4${build.fused ? " relaxed madd" : ""}, 4×8 register tiles`;
    this.info = { backend: "wasm", details: { kernels: kernelName, threads: String(threads) } };
    this.setWeights(options.weights);
  }

  /** What the derivative of layer `l`'s activation `act` is computed from: its z, or its a = act(z). */
  private derivativeInput(act: ActivationName, l: LayerRegions): Region {
    return DERIVATIVE_FROM_A[act] ? l.aNext : l.z;
  }

  /** The activation after layer `l` (as the reference's `activationAfter`). */
  private activationAfter(l: number): ActivationName {
    return l === this.layers.length - 1 ? this.spec.outputActivation : this.spec.activation;
  }

  /**
   * Forward pass over the `count` rows in `x` (the reference's `mlpForward`); returns the output
   * view [count][outputs].
   */
  private forward(count: number): Float32Array {
    const { k, layers } = this;
    if (!this.transposed) {
      for (const l of layers) k.transpose(l.W.ptr, l.Wt.ptr, l.nOut, l.nIn, l.nIn, 0);
      this.transposed = true;
    }
    let a = this.mem.x;
    layers.forEach((l, i) => {
      const act = this.activationAfter(i);
      // z[l] = a[l]·Wᵀ + b, and a[l+1] = act(z[l]): the product's epilogue where gemm runs
      if (l.nOut < NARROW) {
        k.gemmNT(a.ptr, l.W.ptr, l.z.ptr, count, l.nIn, l.nOut, l.b.ptr);
        k.activationForward(WASM_ACTIVATIONS[act], l.z.ptr, l.aNext.ptr, count * l.nOut);
      } else k.gemm(a.ptr, l.Wt.ptr, l.z.ptr, count, l.nIn, l.nOut, l.nIn, 1, l.b.ptr, WASM_ACTIVATIONS[act], l.aNext.ptr, 0);
      a = l.aNext;
    });
    return a.view.subarray(0, count * this.spec.outputs);
  }

  /**
   * Backward pass after {@link forward} on the same `count` rows, from dL/dŷ in the top layer's
   * daNext (the reference's `mlpBackward`): every layer's dW and db into the gradient block.
   */
  private backward(count: number): void {
    const { k, layers } = this;
    const { x, dzT, aT } = this.mem;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const act = this.activationAfter(i);
      // dz[l] = da[l+1] ⊙ act'(z[l]) (over da[l+1]); below the top, it was the epilogue of the
      // product that made da[l+1]
      if (i === layers.length - 1) {
        const d = this.derivativeInput(act, l);
        k.activationBackward(WASM_ACTIVATIONS[act], d.ptr, l.daNext.ptr, l.daNext.ptr, count * l.nOut);
      }
      // db[l] = Σ_b dz[l] (summed while dz is transposed), dW[l] = dz[l]ᵀ·a[l]
      const a = i === 0 ? x : layers[i - 1].aNext;
      k.transpose(l.daNext.ptr, dzT.ptr, count, l.nOut, l.nOut, l.db.ptr);
      if (l.nIn < NARROW) {
        k.transpose(a.ptr, aT.ptr, count, l.nIn, l.nIn, 0);
        k.gemmNT(dzT.ptr, aT.ptr, l.dW.ptr, l.nOut, count, l.nIn, 0);
      } else k.gemm(dzT.ptr, a.ptr, l.dW.ptr, l.nOut, count, l.nIn, count, 1, 0, 0, 0, 0);
      if (i === 0) break;
      // da[l] = dz[l]·W[l], times the derivative of the activation below as the epilogue: dz[l−1]
      const below = layers[i - 1];
      const actBelow = this.activationAfter(i - 1);
      const d = this.derivativeInput(actBelow, below);
      k.gemm(l.daNext.ptr, l.W.ptr, below.daNext.ptr, count, l.nOut, l.nIn, l.nOut, 1, 0, WASM_ACTIVATIONS[actBelow], 0, d.ptr);
    }
  }

  /** Forward, MSE and backward on the `count` rows in `x`/`y`; returns the output view and the loss. */
  private lossAndGradients(count: number): { pred: Float32Array; loss: number } {
    const n = count * this.spec.outputs;
    const top = this.layers[this.layers.length - 1];
    const pred = this.forward(count);
    const loss = mseForward(pred, this.mem.y.view, n);
    mseBackward(pred, this.mem.y.view, top.daNext.view, n);
    this.backward(count);
    return { pred, loss };
  }

  /** One step on the `count` rows in `x`/`y`: forward, MSE, backward, Adam; returns the loss before the step. */
  private stepNow(count: number, lr: number): number {
    const { loss } = this.lossAndGradients(count);
    const { params, grads, m, v } = this.mem;
    this.adamStep += 1;
    const { stepSize, bc2Sqrt } = adamCorrections(this.adamStep, this.adam, lr);
    const { beta1, beta2, eps } = this.adam;
    this.k.adam(params.ptr, grads.ptr, m.ptr, v.ptr, params.view.length, beta1, beta2, eps, stepSize, bc2Sqrt);
    this.transposed = false;
    return loss;
  }

  /** Copy a batch into `x`/`y`. */
  private load(inputs: Float32Array, targets: Float32Array, count: number): void {
    if (count > this.B) throw new RangeError(`batch ${count} exceeds maxBatch ${this.B}`);
    this.mem.x.view.set(inputs.subarray(0, count * this.spec.inputs));
    this.mem.y.view.set(targets.subarray(0, count * this.spec.outputs));
  }

  async step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number> {
    this.load(inputs, targets, count);
    return this.stepNow(count, lr);
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients> {
    this.load(inputs, targets, count);
    const { pred, loss } = this.lossAndGradients(count);
    return {
      outputs: pred.slice(),
      loss,
      grads: this.layers.map((l) => ({ weight: l.dW.view.slice(), bias: l.db.view.slice() })),
    };
  }

  /** the Gaussian matrix whose columns are in the memory plan's encodingMatrix */
  private matrixIn: FloatArray | null = null;

  /**
   * {@link gatherInputs} into `x` (`out` is `x`'s view), with inputs encoded on demand encoded by
   * the kernels (assembly/encode.ts, on every thread; bit for bit the encoder's rows): the batch's
   * coordinates are gathered here, then each thread encodes a run of them.
   */
  private readonly gather = (inputs: NetworkInputs, F: number, out: FloatArray, n: number, start: number, order?: Uint32Array): void => {
    const { coords, x, encodingMatrix } = this.mem;
    if (!(inputs instanceof EncodedOnDemand) || out !== x.view) {
      gatherInputs(inputs, F, out, n, start, order);
      return;
    }
    inputs.expectFeatures(F);
    const { config, matrix } = inputs.encoder;
    if (config.type === "none") {
      inputs.gatherPoints(x.view, n, start, order);
      return;
    }
    if (config.type === "sape") {
      // SAPE's mask is the host's (it changes as training goes): its rows are the encoder's own
      gatherInputs(inputs, F, out, n, start, order);
      return;
    }
    inputs.gatherPoints(coords.view, n, start, order);
    if (config.type === "positional") {
      this.k.positionalEncode(coords.ptr, x.ptr, n, config.frequencies, config.includeInput ? 1 : 0);
      return;
    }
    if (matrix === null) throw new Error("a Gaussian encoder without its matrix");
    const m = matrix.length / 2;
    if (this.matrixIn !== matrix) {
      // B [m][2] → two float64 columns [2][m]
      for (let r = 0; r < m; r++) {
        encodingMatrix.view[r] = matrix[2 * r];
        encodingMatrix.view[m + r] = matrix[2 * r + 1];
      }
      this.matrixIn = matrix;
    }
    this.k.gaussianEncode(coords.ptr, encodingMatrix.ptr, x.ptr, n, m);
  };

  /**
   * Encode `count` points with `encoder` into `out` through the kernels, `maxBatch` points at a
   * time (as a batch encoded on demand: bit for bit `encoder.encode`).
   */
  encode(encoder: Encoder, points: Float32Array, out: Float32Array, count: number): void {
    const F = encoder.features;
    if (F !== this.spec.inputs) throw new RangeError(`the encoder makes ${F} features, the network takes ${this.spec.inputs}`);
    const all = new EncodedOnDemand(points.subarray(0, 2 * count), encoder);
    for (let start = 0; start < count; start += this.B) {
      const n = Math.min(this.B, count - start);
      this.gather(all, F, this.mem.x.view, n, start);
      out.set(this.mem.x.view.subarray(0, n * F), start * F);
    }
  }

  async epoch(
    inputs: NetworkInputs,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    const buffers = { x: this.mem.x.view, y: this.mem.y.view, inputs: this.spec.inputs, outputs: this.spec.outputs, gather: this.gather };
    return stepThroughEpoch(inputs, targets, order, batchSize, buffers, options, (count) => this.stepNow(count, lr));
  }

  async predict(inputs: NetworkInputs, count: number): Promise<Float32Array> {
    const { inputs: F, outputs: C } = this.spec;
    const out = new Float32Array(count * C);
    for (let start = 0; start < count; start += this.B) {
      const n = Math.min(this.B, count - start);
      this.gather(inputs, F, this.mem.x.view, n, start);
      out.set(this.forward(n), start * C);
    }
    return out;
  }

  async getWeights(): Promise<LayerWeights[]> {
    return this.layers.map((l) => ({ weight: l.W.view.slice(), bias: l.b.view.slice() }));
  }

  setWeights(weights: LayerWeights[]): void {
    if (weights.length !== this.layers.length) throw new RangeError(`expected weights for ${this.layers.length} layers, got ${weights.length}`);
    this.layers.forEach((l, i) => {
      if (weights[i].weight.length !== l.nOut * l.nIn || weights[i].bias.length !== l.nOut)
        throw new RangeError(`layer ${i}: expected weight [${l.nOut}][${l.nIn}] and bias [${l.nOut}]`);
      l.W.view.set(weights[i].weight);
      l.b.view.set(weights[i].bias);
    });
    this.transposed = false;
  }

  /** Per parameter array [W₀, b₀, W₁, …]: its offset and length in the parameter block. */
  private parts(): { at: number; length: number }[] {
    const base = this.mem.params.ptr;
    return this.layers.flatMap((l) => [
      { at: (l.W.ptr - base) / 4, length: l.W.view.length },
      { at: (l.b.ptr - base) / 4, length: l.b.view.length },
    ]);
  }

  async getOptimizerState(): Promise<OptimizerSnapshot> {
    const { m, v } = this.mem;
    const parts = this.parts();
    return {
      step: this.adamStep,
      m: parts.map(({ at, length }) => m.view.slice(at, at + length)),
      v: parts.map(({ at, length }) => v.view.slice(at, at + length)),
    };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    const parts = this.parts();
    if (state.m.length !== parts.length || state.v.length !== parts.length)
      throw new RangeError(`expected Adam moments for ${parts.length} parameter arrays, got ${state.m.length}`);
    parts.forEach(({ at, length }, i) => {
      if (state.m[i].length !== length || state.v[i].length !== length) throw new RangeError(`Adam moments ${i}: expected ${length} values`);
      this.mem.m.view.set(state.m[i], at);
      this.mem.v.view.set(state.v[i], at);
    });
    this.adamStep = state.step;
  }

  /** How many kernel parts were handed out, and how many of them this thread ran itself. */
  threadStats(): {
    /** kernel parts handed out to the threads so far */
    parts: number;
    /** how many of them this thread ran itself (all of them where no helper took one in time) */
    partsHere: number;
  } {
    return { ...this.team.stats };
  }

  async dispose(): Promise<void> {
    await this.team.stop();
  }

  /** Resolves once the helper threads (if any) are ready; training waits for them. */
  async ready(): Promise<void> {
    await this.team.ready;
  }
}

/**
 * Whether the wasm backend runs here: shared memory (cross-origin isolation in a browser), the
 * kernels loaded, a thread count; and what it runs with.
 *
 * @example
 * ```ts
 * await probeWasm(); // { available: true, device: "up to 2 threads, plain SIMD kernels" }
 * ```
 */
export async function probeWasm(): Promise<ProbeResult> {
  const noSharedMemory = sharedMemoryUnavailable();
  if (noSharedMemory !== null) return { available: false, reason: noSharedMemory };
  let fused: boolean;
  try {
    fused = (await loadKernels()).fused;
  } catch (e) {
    return { available: false, reason: `the WebAssembly kernels did not load: ${(e as Error).message.split("\n")[0]}` };
  }
  let threads: number;
  try {
    threads = threadCount(undefined, Number.POSITIVE_INFINITY);
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
  return { available: true, device: `up to ${threads} thread${threads > 1 ? "s" : ""}, ${fused ? "relaxed-SIMD fused multiply-add" : "plain SIMD"} kernels` };
}

/**
 * A wasm trainer, its kernels loaded and its helper threads ready.
 *
 * @example
 * ```ts
 * const trainer = await createWasmTrainer({ spec, adam, weights, maxBatch: 1024 });
 * ```
 */
export async function createWasmTrainer(options: TrainerOptions): Promise<WasmTrainer> {
  await loadKernels();
  const trainer = new WasmTrainer(options);
  await trainer.ready();
  return trainer;
}
