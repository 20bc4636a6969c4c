/**
 * @module
 * The gpu.js backend: the reference's network and training step as gpu.js kernels, run as one
 * compiled `createPipeline` plan per epoch so that activations, gradients, weights and Adam
 * moments stay inside the plan; only the per-batch losses and the new weights and moments come
 * back, once per call. Batches are the runner's seeded shuffle: the host lays the epoch's samples
 * out in shuffled order and each step reads its slice.
 */

import * as gpujs from "gpu.js";
import { gatherInputs, type NetworkInputs } from "../../encoding/inputs.js";
import { ACTIVATIONS, erf } from "../../reference/activations/index.js";
import { type AdamOptions, adamCorrections, adamFirstMoment, adamSecondMoment, adamUpdate } from "../../reference/adam.js";
import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import { BackendUnavailableError } from "../registry.js";
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
import { type GpuMode, modeAvailable, releaseWebGPU } from "./device.js";
import {
  activationKernel,
  adamMKernel,
  adamMMatrixKernel,
  adamPKernel,
  adamPMatrixKernel,
  adamVKernel,
  adamVMatrixKernel,
  biasGradKernel,
  denseForwardKernel,
  gatherKernel,
  inputGradKernel,
  kernelFunction,
  lossKernel,
  outputGradKernel,
  outputKernel,
  specialize,
  weightGradKernel,
} from "./kernels.js";
import { ranMode } from "./webgl2.js";

const { GPU } = gpujs;
type Kernel = gpujs.IKernelRunShortcut;
type Pipeline = gpujs.IPipelineRunShortcut;
type Handle = unknown;

/** Loop bounds are constants, so this only guards against gpu.js's default cut at 1000. */
const LOOP_MAX = 1 << 24;

/** Every scalar function a kernel may call: the reference's activations, erf, and Adam's formulas. */
const FUNCTIONS = [...Object.values(ACTIVATIONS).flatMap((a) => [a.f, a.grad]), erf].map(kernelFunction);
const ADAM_FUNCTIONS = [adamFirstMoment, adamSecondMoment, adamUpdate];

/**
 * One layer's parameters and Adam moments, in gpu.js's argument shapes: `W` and its moments as
 * rows (row-major [outputs][inputs], one Float32Array per output), `b` and its moments flat. The
 * same record holds plain arrays on the host and pipeline handles inside an orchestration.
 */
interface LayerState<M = Float32Array[], V = Float32Array> {
  W: M;
  b: V;
  mW: M;
  mb: V;
  vW: M;
  vb: V;
}

/** The order a layer's six arrays take in a pipeline's arguments and results. */
const STATE_KEYS = ["W", "b", "mW", "mb", "vW", "vb"] as const;

/** Layers → one flat argument list: W₀, b₀, mW₀, mb₀, vW₀, vb₀, W₁, … */
function packState<T>(layers: LayerState<T, T>[]): T[] {
  return layers.flatMap((layer) => STATE_KEYS.map((key) => layer[key]));
}

/** The inverse of {@link packState}, for `L` layers read from `flat` at `offset`. */
function unpackState<T>(flat: readonly T[], L: number, offset = 0): LayerState<T, T>[] {
  return Array.from({ length: L }, (_, l) => {
    const at = (k: number) => flat[offset + l * STATE_KEYS.length + k];
    return { W: at(0), b: at(1), mW: at(2), mb: at(3), vW: at(4), vb: at(5) };
  });
}

/** One layer's kernels. */
interface LayerKernels {
  dense: Kernel;
  act: Kernel | null;
  weightGrad: Kernel;
  biasGrad: Kernel;
  inputGrad: Kernel | null;
  mW: Kernel;
  vW: Kernel;
  pW: Kernel;
  mb: Kernel;
  vb: Kernel;
  pb: Kernel;
}

/**
 * gpu.js makes one argument handle per declared parameter (`fn.length`); the orchestration
 * functions here take `...args`, so declare how many they take.
 */
function withArity<F extends (...args: never[]) => unknown>(fn: F, count: number): F {
  return Object.defineProperty(fn, "length", { value: count });
}

/** rows of a row-major [rows][cols] flat array, as gpu.js 2-D arguments */
function toRows(flat: Float32Array, rows: number, cols: number): Float32Array[] {
  return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
}

/** a gpu.js 2-D result as rows of our own (gpu.js may reuse its result arrays) */
function rows(result: unknown): Float32Array[] {
  return (result as ArrayLike<number>[]).map((row) => Float32Array.from(row));
}

/** a gpu.js 1-D or 2-D result as one flat Float32Array */
function flatten(result: unknown): Float32Array {
  if (result instanceof Float32Array) return result;
  const rows = result as ArrayLike<number>[];
  const cols = rows.length > 0 ? rows[0].length : 0;
  const out = new Float32Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) out.set(rows[r], r * cols);
  return out;
}

/**
 * A {@link Trainer} whose every step runs as gpu.js kernels in one mode (`webgpu`, `webasm` or
 * `cpu`). Its `info.details` name the mode and executor that actually ran (gpu.js can fall back
 * silently; the trainer refuses to: a plan that does not run in the requested mode is an error).
 *
 * @example
 * ```ts
 * const trainer = await GpuTrainer.create("webasm", options);
 * await trainer.epoch(inputs, targets, order, 1024, 1e-3);
 * ```
 */
export class GpuTrainer implements Trainer {
  readonly spec: MLPSpec;
  readonly info: TrainerInfo;
  private readonly details: Record<string, string>;
  private readonly gpu: gpujs.GPU;
  private readonly B: number;
  private readonly adam: AdamOptions;
  private readonly sizes: number[];
  private readonly layers: LayerKernels[];
  private readonly gatherX: Kernel;
  private readonly gatherY: Kernel;
  private readonly output: Kernel;
  private readonly outputGrad: Kernel;
  private readonly loss: Kernel;
  private readonly pipelines = new Map<string, Pipeline>();
  /** every layer's weights and Adam moments, as the pipelines take and return them */
  private state: LayerState[] = [];
  private adamSteps = 0;

  private constructor(
    private readonly mode: GpuMode,
    backendName: string,
    options: TrainerOptions,
    adapter: string | undefined,
  ) {
    this.spec = options.spec;
    this.details = { mode, executor: "not run yet", ...(adapter ? { adapter } : {}) };
    this.info = { backend: backendName, details: this.details };
    this.gpu = new GPU({ mode });
    this.B = options.maxBatch;
    this.sizes = layerSizes(options.spec);
    const names = { hidden: options.spec.activation, output: options.spec.outputActivation };
    this.adam = options.adam;
    const { beta1, beta2, eps } = options.adam;
    const B = this.B;
    const make = (
      source: string | ((...args: never[]) => number),
      output: number[],
      constants: Record<string, number> = {},
      functions: unknown[] = FUNCTIONS,
    ) =>
      this.gpu.createKernel(source as string, { output, constants, functions, precision: "single", loopMaxIterations: LOOP_MAX } as gpujs.IGPUKernelSettings);
    const L = this.sizes.length - 1;
    this.layers = [];
    for (let l = 0; l < L; l++) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      this.layers.push({
        dense: make(denseForwardKernel, [nOut, B], { nIn }),
        act: l < L - 1 ? make(specialize(activationKernel, names), [nOut, B]) : null,
        weightGrad: make(weightGradKernel, [nIn, nOut], { B }),
        biasGrad: make(biasGradKernel, [nOut], { B }),
        inputGrad: l > 0 ? make(specialize(inputGradKernel, names), [nIn, B], { nIn, nOut }) : null,
        mW: make(adamMMatrixKernel, [nIn, nOut], { beta1 }, ADAM_FUNCTIONS),
        vW: make(adamVMatrixKernel, [nIn, nOut], { beta2 }, ADAM_FUNCTIONS),
        pW: make(adamPMatrixKernel, [nIn, nOut], { eps }, ADAM_FUNCTIONS),
        mb: make(adamMKernel, [nOut], { beta1 }, ADAM_FUNCTIONS),
        vb: make(adamVKernel, [nOut], { beta2 }, ADAM_FUNCTIONS),
        pb: make(adamPKernel, [nOut], { eps }, ADAM_FUNCTIONS),
      });
    }
    const C = options.spec.outputs;
    this.gatherX = make(gatherKernel, [options.spec.inputs, B], { F: options.spec.inputs });
    this.gatherY = make(gatherKernel, [C, B], { F: C });
    this.output = make(specialize(outputKernel, names), [C, B]);
    this.outputGrad = make(specialize(outputGradKernel, names), [C, B], { C });
    this.loss = make(specialize(lossKernel, names), [1], { B, C });
    this.setWeights(options.weights);
  }

  /**
   * Build a trainer in a gpu.js mode, after checking the mode can run here.
   *
   * @param backendName - the registry name to report (`webgpu`, `webasm`, `gpujs-cpu`)
   *
   * @example
   * ```ts
   * const trainer = await GpuTrainer.create("webgpu", options, "webgpu");
   * ```
   */
  static async create(mode: GpuMode, options: TrainerOptions, backendName: string = mode): Promise<GpuTrainer> {
    const probe = await modeAvailable(mode);
    if (!probe.available) throw new BackendUnavailableError(`backend '${backendName}' cannot run here: ${probe.reason}`);
    return new GpuTrainer(mode, backendName, options, probe.adapter);
  }

  /** Record (and check) what gpu.js actually ran. */
  private checkRan(pipeline: Pipeline): void {
    const ran = ranMode(this.gpu, this.mode, pipeline.backend, (gpujs as unknown as { WebGL2Kernel?: unknown }).WebGL2Kernel);
    this.details.executor = pipeline.executorKind;
    if (pipeline.fallbackReason) this.details.fallbackReason = pipeline.fallbackReason;
    if (ran !== this.mode)
      throw new Error(`gpu.js ran this plan in '${ran}' mode, not '${this.mode}'${pipeline.fallbackReason ? `: ${pipeline.fallbackReason}` : ""}`);
  }

  /**
   * Record one batch's forward and backward pass (inside an orchestration): gather rows
   * `start … start + count − 1` of the epoch's inputs and targets, then, as `reference/mlp.ts`
   * does, z[l] = dense(a[l]), a[l+1] = act(z[l]); the loss; dz of the output and, layer by layer
   * from the top, dW, db and the dz of the layer below. Both the training step and
   * {@link GpuTrainer.gradients} are recorded from here, so they run the same kernels.
   */
  private forwardBackward(xs: Handle, ys: Handle, start: number, count: number, W: Handle[], b: Handle[]) {
    const { layers, gatherX, gatherY, outputGrad, loss } = this;
    const L = layers.length;
    const x = gatherX(xs, start, count);
    const y = gatherY(ys, start, count);
    // forward: z[l] = dense(a[l]); a[l+1] = act(z[l])
    const a: Handle[] = [x];
    const z: Handle[] = [];
    for (let l = 0; l < L; l++) {
      z.push(layers[l].dense(a[l], W[l], b[l]));
      if (l < L - 1) a.push((layers[l].act as Kernel)(z[l]));
    }
    const batchLoss = loss(z[L - 1], y, count);
    // backward: dz of the output, then per layer dW, db and dz of the layer below
    let dz = outputGrad(z[L - 1], y, count);
    const gW: Handle[] = [];
    const gb: Handle[] = [];
    for (let l = L - 1; l >= 0; l--) {
      gW[l] = layers[l].weightGrad(dz, a[l]);
      gb[l] = layers[l].biasGrad(dz);
      if (l > 0) dz = (layers[l].inputGrad as Kernel)(dz, W[l], z[l - 1]);
    }
    return { z, loss: batchLoss, gW, gb };
  }

  /** The training plan for consecutive steps of the given batch sizes, built once per shape. */
  private trainPipeline(counts: number[]): Pipeline {
    const key = counts.join(",");
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const { layers, B } = this;
    const L = layers.length;
    const self = this;
    const orchestrate = function (this: unknown, ...args: Handle[]) {
      const [xs, ys, stepSizes, bc2Sqrts] = args;
      const state = unpackState(args, L, 4);
      const losses: Handle[] = [];
      for (let s = 0; s < counts.length; s++) {
        const { loss, gW, gb } = self.forwardBackward(
          xs,
          ys,
          s * B,
          counts[s],
          state.map((p) => p.W),
          state.map((p) => p.b),
        );
        losses.push(loss);
        // Adam, step t = adamSteps + s + 1: its bias corrections are entry s of stepSizes and bc2Sqrts
        for (let l = 0; l < L; l++) {
          const p = state[l];
          const k = layers[l];
          p.mW = k.mW(p.mW, gW[l]);
          p.vW = k.vW(p.vW, gW[l]);
          p.W = k.pW(p.W, p.mW, p.vW, stepSizes, bc2Sqrts, s);
          p.mb = k.mb(p.mb, gb[l]);
          p.vb = k.vb(p.vb, gb[l]);
          p.b = k.pb(p.b, p.mb, p.vb, stepSizes, bc2Sqrts, s);
        }
      }
      return [...packState(state), ...losses];
    };
    const pipeline = this.gpu.createPipeline(withArity(orchestrate, 4 + STATE_KEYS.length * L) as unknown as gpujs.PipelineFunction);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Run `counts.length` steps over samples already laid out in training order. */
  private async runSteps(xs: Float32Array, ys: Float32Array, counts: number[], lr: number): Promise<number[]> {
    const pipeline = this.trainPipeline(counts);
    const L = this.layers.length;
    // Adam's bias corrections of each step, in float64 on the host as the reference computes them
    const corrections = counts.map((_, s) => adamCorrections(this.adamSteps + s + 1, this.adam, lr));
    const stepSizes = Float32Array.from(corrections, (c) => c.stepSize);
    const bc2Sqrts = Float32Array.from(corrections, (c) => c.bc2Sqrt);
    const result = (await pipeline(xs, ys, stepSizes, bc2Sqrts, ...packState<unknown>(this.state))) as unknown[];
    this.checkRan(pipeline);
    this.state = unpackState(result, L).map((p) => ({
      W: rows(p.W),
      b: Float32Array.from(p.b as ArrayLike<number>),
      mW: rows(p.mW),
      mb: Float32Array.from(p.mb as ArrayLike<number>),
      vW: rows(p.vW),
      vb: Float32Array.from(p.vb as ArrayLike<number>),
    }));
    this.adamSteps += counts.length;
    return result.slice(STATE_KEYS.length * L).map((r) => (r as ArrayLike<number>)[0]);
  }

  async step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number> {
    if (count > this.B) throw new RangeError(`batch ${count} exceeds maxBatch ${this.B}`);
    const [loss] = await this.runSteps(inputs.subarray(0, count * this.spec.inputs), targets.subarray(0, count * this.spec.outputs), [count], lr);
    return loss;
  }

  async epoch(
    inputs: NetworkInputs,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    if (batchSize !== this.B) throw new RangeError(`this trainer was built for batches of ${this.B}, got ${batchSize}`);
    const { inputs: F, outputs: C } = this.spec;
    const from = options.from ?? 0;
    const n = order.length - from;
    // lay the remaining samples out in training order: step s reads rows s·B … s·B + count − 1
    const xs = new Float32Array(n * F);
    const ys = new Float32Array(n * C);
    gatherInputs(inputs, F, xs, n, from, order);
    for (let k = 0; k < n; k++) {
      const s = order[from + k];
      ys.set(targets.subarray(s * C, (s + 1) * C), k * C);
    }
    const counts = Array.from({ length: Math.ceil(n / this.B) }, (_, s) => Math.min(this.B, n - s * this.B));
    const losses = await this.runSteps(xs, ys, counts, lr);
    let lossSum = options.lossSum ?? 0;
    losses.forEach((loss, s) => {
      lossSum += loss * counts[s];
    });
    options.afterBatch?.(order.length);
    return { lossSum, next: order.length };
  }

  async predict(inputs: NetworkInputs, count: number): Promise<Float32Array> {
    const { inputs: F, outputs: C } = this.spec;
    const pipeline = this.forwardPipeline();
    const out = new Float32Array(count * C);
    for (let start = 0; start < count; start += this.B) {
      const n = Math.min(this.B, count - start);
      const x = new Float32Array(this.B * F);
      gatherInputs(inputs, F, x, n, start);
      const y = flatten(await pipeline(x, ...this.state.flatMap((p) => [p.W, p.b])));
      this.checkRan(pipeline);
      out.set(y.subarray(0, n * C), start * C);
    }
    return out;
  }

  /** The forward plan: arguments x, then W₀, b₀, W₁, b₁, …; result ŷ = OUT(z of the last layer). */
  private forwardPipeline(): Pipeline {
    const cached = this.pipelines.get("forward");
    if (cached) return cached;
    const { layers, gatherX, output, B } = this;
    const L = layers.length;
    const orchestrate = function (this: unknown, ...args: Handle[]) {
      const [xs] = args;
      let a = gatherX(xs, 0, B);
      for (let l = 0; l < L; l++) {
        const z = layers[l].dense(a, args[1 + 2 * l], args[2 + 2 * l]);
        a = l < L - 1 ? (layers[l].act as Kernel)(z) : output(z);
      }
      return a;
    };
    const pipeline = this.gpu.createPipeline(withArity(orchestrate, 1 + 2 * L) as unknown as gpujs.PipelineFunction);
    this.pipelines.set("forward", pipeline);
    return pipeline;
  }

  /**
   * The gradients plan for a batch of `count`: arguments xs, ys, then W₀, b₀, W₁, b₁, …; results
   * ŷ, the loss, then dW₀, db₀, dW₁, db₁, … — the training step's kernels, without Adam.
   */
  private gradientsPipeline(count: number): Pipeline {
    const key = `gradients ${count}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const L = this.layers.length;
    const { output } = this;
    const self = this;
    const orchestrate = function (this: unknown, ...args: Handle[]) {
      const [xs, ys] = args;
      const W = Array.from({ length: L }, (_, l) => args[2 + 2 * l]);
      const b = Array.from({ length: L }, (_, l) => args[3 + 2 * l]);
      const { z, loss, gW, gb } = self.forwardBackward(xs, ys, 0, count, W, b);
      return [output(z[L - 1]), loss, ...gW.flatMap((g, l) => [g, gb[l]])];
    };
    const pipeline = this.gpu.createPipeline(withArity(orchestrate, 2 + 2 * L) as unknown as gpujs.PipelineFunction);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients> {
    if (!Number.isInteger(count) || count < 1 || count > this.B) throw new RangeError(`batch ${count} must be an integer from 1 to maxBatch ${this.B}`);
    const { inputs: F, outputs: C } = this.spec;
    const pipeline = this.gradientsPipeline(count);
    const result = (await pipeline(inputs.subarray(0, count * F), targets.subarray(0, count * C), ...this.state.flatMap((p) => [p.W, p.b]))) as unknown[];
    this.checkRan(pipeline);
    const grads = this.state.map((_, l) => ({
      weight: flatten(result[2 + 2 * l]).slice(),
      bias: Float32Array.from(result[3 + 2 * l] as ArrayLike<number>),
    }));
    return { outputs: flatten(result[0]).slice(0, count * C), loss: (result[1] as ArrayLike<number>)[0], grads };
  }

  async getWeights(): Promise<LayerWeights[]> {
    return this.state.map((p) => ({ weight: flatten(p.W).slice(), bias: p.b.slice() }));
  }

  setWeights(weights: LayerWeights[]): void {
    const L = this.sizes.length - 1;
    if (weights.length !== L) throw new RangeError(`expected weights for ${L} layers, got ${weights.length}`);
    this.state = weights.map((w, l) => {
      const [nIn, nOut] = [this.sizes[l], this.sizes[l + 1]];
      const kept = this.state[l]; // Adam's moments stay; a new trainer starts them at zero
      return {
        W: toRows(Float32Array.from(w.weight), nOut, nIn),
        b: Float32Array.from(w.bias),
        mW: kept?.mW ?? toRows(new Float32Array(nOut * nIn), nOut, nIn),
        mb: kept?.mb ?? new Float32Array(nOut),
        vW: kept?.vW ?? toRows(new Float32Array(nOut * nIn), nOut, nIn),
        vb: kept?.vb ?? new Float32Array(nOut),
      };
    });
  }

  async getOptimizerState(): Promise<OptimizerSnapshot> {
    return {
      step: this.adamSteps,
      m: this.state.flatMap((p) => [flatten(p.mW).slice(), p.mb.slice()]),
      v: this.state.flatMap((p) => [flatten(p.vW).slice(), p.vb.slice()]),
    };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    this.adamSteps = state.step;
    this.state = this.state.map((p, l) => {
      const [nIn, nOut] = [this.sizes[l], this.sizes[l + 1]];
      return {
        ...p,
        mW: toRows(Float32Array.from(state.m[2 * l]), nOut, nIn),
        mb: Float32Array.from(state.m[2 * l + 1]),
        vW: toRows(Float32Array.from(state.v[2 * l]), nOut, nIn),
        vb: Float32Array.from(state.v[2 * l + 1]),
      };
    });
  }

  async dispose(): Promise<void> {
    for (const p of this.pipelines.values()) await p.destroy();
    this.pipelines.clear();
    await this.gpu.destroy();
    if (this.mode === "webgpu") await releaseWebGPU();
  }
}

/**
 * Whether gpu.js's `mode` runs here, as a backend's probe answers: a software WebGPU adapter
 * (SwiftShader) and the JavaScript mode run, but `auto` passes them over.
 *
 * @example
 * ```ts
 * await probeMode("webasm"); // { available: true }
 * ```
 */
export async function probeMode(mode: GpuMode): Promise<ProbeResult> {
  const m = await modeAvailable(mode);
  if (!m.available) return { available: false, reason: m.reason };
  if (m.software) return { available: true, device: m.adapter, autoSkip: `its adapter is a software renderer (${m.adapter}), slower than wasm` };
  if (mode === "cpu") return { available: true, autoSkip: "gpu.js's JavaScript mode is for checking kernels, not for speed" };
  return { available: true, ...(m.adapter ? { device: m.adapter } : {}) };
}
