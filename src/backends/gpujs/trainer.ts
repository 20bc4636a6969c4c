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
import { adamFirstMoment, adamSecondMoment, adamUpdate } from "../../reference/adam.js";
import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import {
  type Backend,
  BackendUnavailableError,
  type BatchGradients,
  type EpochOptions,
  type EpochProgress,
  type LayerWeights,
  type OptimizerSnapshot,
  type Trainer,
  type TrainerInfo,
  type TrainerOptions,
} from "../registry.js";
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
  private readonly sizes: number[];
  private readonly layers: LayerKernels[];
  private readonly gatherX: Kernel;
  private readonly gatherY: Kernel;
  private readonly output: Kernel;
  private readonly outputGrad: Kernel;
  private readonly loss: Kernel;
  private readonly pipelines = new Map<string, Pipeline>();
  private W: Float32Array[][];
  private b: Float32Array[];
  private mW: Float32Array[][];
  private mb: Float32Array[];
  private vW: Float32Array[][];
  private vb: Float32Array[];
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
        pW: make(adamPMatrixKernel, [nIn, nOut], { beta1, beta2, eps }, ADAM_FUNCTIONS),
        mb: make(adamMKernel, [nOut], { beta1 }, ADAM_FUNCTIONS),
        vb: make(adamVKernel, [nOut], { beta2 }, ADAM_FUNCTIONS),
        pb: make(adamPKernel, [nOut], { beta1, beta2, eps }, ADAM_FUNCTIONS),
      });
    }
    const C = options.spec.outputs;
    this.gatherX = make(gatherKernel, [options.spec.inputs, B], { F: options.spec.inputs });
    this.gatherY = make(gatherKernel, [C, B], { F: C });
    this.output = make(specialize(outputKernel, names), [C, B]);
    this.outputGrad = make(specialize(outputGradKernel, names), [C, B], { C });
    this.loss = make(specialize(lossKernel, names), [1], { B, C });
    this.W = [];
    this.b = [];
    this.setWeights(options.weights);
    this.mW = this.W.map((rows) => rows.map((r) => new Float32Array(r.length)));
    this.mb = this.b.map((v) => new Float32Array(v.length));
    this.vW = this.W.map((rows) => rows.map((r) => new Float32Array(r.length)));
    this.vb = this.b.map((v) => new Float32Array(v.length));
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

  /** The training plan for consecutive steps of the given batch sizes, built once per shape. */
  private trainPipeline(counts: number[]): Pipeline {
    const key = counts.join(",");
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const { layers, B, gatherX, gatherY, outputGrad, loss } = this;
    const L = layers.length;
    const orchestrate = function (this: unknown, ...args: Handle[]) {
      const [xs, ys, lr, t0] = args;
      const W = args.slice(4, 4 + L);
      const b = args.slice(4 + L, 4 + 2 * L);
      const mW = args.slice(4 + 2 * L, 4 + 3 * L);
      const mb = args.slice(4 + 3 * L, 4 + 4 * L);
      const vW = args.slice(4 + 4 * L, 4 + 5 * L);
      const vb = args.slice(4 + 5 * L, 4 + 6 * L);
      const losses: Handle[] = [];
      for (let s = 0; s < counts.length; s++) {
        const count = counts[s];
        const x = gatherX(xs, s * B, count);
        const y = gatherY(ys, s * B, count);
        // forward: z[l] = dense(a[l]); a[l+1] = act(z[l])
        const a: Handle[] = [x];
        const z: Handle[] = [];
        for (let l = 0; l < L; l++) {
          z.push(layers[l].dense(a[l], W[l], b[l]));
          if (l < L - 1) a.push((layers[l].act as Kernel)(z[l]));
        }
        losses.push(loss(z[L - 1], y, count));
        // backward: dz of the output, then per layer dW, db and dz of the layer below
        let dz = outputGrad(z[L - 1], y, count);
        const gW: Handle[] = [];
        const gb: Handle[] = [];
        for (let l = L - 1; l >= 0; l--) {
          gW[l] = layers[l].weightGrad(dz, a[l]);
          gb[l] = layers[l].biasGrad(dz);
          if (l > 0) dz = (layers[l].inputGrad as Kernel)(dz, W[l], z[l - 1]);
        }
        // Adam, step t = t0 + s + 1
        for (let l = 0; l < L; l++) {
          mW[l] = layers[l].mW(mW[l], gW[l]);
          vW[l] = layers[l].vW(vW[l], gW[l]);
          W[l] = layers[l].pW(W[l], mW[l], vW[l], lr, t0, s + 1);
          mb[l] = layers[l].mb(mb[l], gb[l]);
          vb[l] = layers[l].vb(vb[l], gb[l]);
          b[l] = layers[l].pb(b[l], mb[l], vb[l], lr, t0, s + 1);
        }
      }
      return [...W, ...b, ...mW, ...mb, ...vW, ...vb, ...losses];
    };
    const pipeline = this.gpu.createPipeline(withArity(orchestrate, 4 + 6 * L) as unknown as gpujs.PipelineFunction);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Run `counts.length` steps over samples already laid out in training order. */
  private async runSteps(xs: Float32Array, ys: Float32Array, counts: number[], lr: number): Promise<number[]> {
    const pipeline = this.trainPipeline(counts);
    const L = this.layers.length;
    const result = (await pipeline(
      xs,
      ys,
      Float32Array.of(lr),
      Float32Array.of(this.adamSteps),
      ...this.W,
      ...this.b,
      ...this.mW,
      ...this.mb,
      ...this.vW,
      ...this.vb,
    )) as unknown[];
    this.checkRan(pipeline);
    const rows = (r: unknown) => (r as ArrayLike<number>[]).map((row) => Float32Array.from(row));
    const part = (k: number) => result.slice(k * L, (k + 1) * L);
    this.W = part(0).map(rows);
    this.b = part(1).map((r) => Float32Array.from(r as ArrayLike<number>));
    this.mW = part(2).map(rows);
    this.mb = part(3).map((r) => Float32Array.from(r as ArrayLike<number>));
    this.vW = part(4).map(rows);
    this.vb = part(5).map((r) => Float32Array.from(r as ArrayLike<number>));
    this.adamSteps += counts.length;
    return result.slice(6 * L).map((r) => (r as ArrayLike<number>)[0]);
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
      const y = flatten(await pipeline(x, ...this.W, ...this.b));
      this.checkRan(pipeline);
      out.set(y.subarray(0, n * C), start * C);
    }
    return out;
  }

  private forwardPipeline(): Pipeline {
    const cached = this.pipelines.get("forward");
    if (cached) return cached;
    const { layers, gatherX, output, B } = this;
    const L = layers.length;
    const orchestrate = function (this: unknown, ...args: Handle[]) {
      const [xs] = args;
      let a = gatherX(xs, 0, B);
      for (let l = 0; l < L; l++) {
        const z = layers[l].dense(a, args[1 + l], args[1 + L + l]);
        a = l < L - 1 ? (layers[l].act as Kernel)(z) : output(z);
      }
      return a;
    };
    const pipeline = this.gpu.createPipeline(withArity(orchestrate, 1 + 2 * L) as unknown as gpujs.PipelineFunction);
    this.pipelines.set("forward", pipeline);
    return pipeline;
  }

  async gradients(_inputs: Float32Array, _targets: Float32Array, _count: number): Promise<BatchGradients> {
    throw new Error("TODO(issue 9): gradients not yet implemented on this backend");
  }

  getWeights(): LayerWeights[] {
    return this.W.map((rows, l) => ({ weight: flatten(rows).slice(), bias: this.b[l].slice() }));
  }

  setWeights(weights: LayerWeights[]): void {
    const L = this.sizes.length - 1;
    if (weights.length !== L) throw new RangeError(`expected weights for ${L} layers, got ${weights.length}`);
    this.W = weights.map((w, l) => toRows(Float32Array.from(w.weight), this.sizes[l + 1], this.sizes[l]));
    this.b = weights.map((w) => Float32Array.from(w.bias));
  }

  getOptimizerState(): OptimizerSnapshot {
    const m: Float32Array[] = [];
    const v: Float32Array[] = [];
    this.W.forEach((_, l) => {
      m.push(flatten(this.mW[l]).slice(), this.mb[l].slice());
      v.push(flatten(this.vW[l]).slice(), this.vb[l].slice());
    });
    return { step: this.adamSteps, m, v };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    this.adamSteps = state.step;
    this.mW = this.W.map((_, l) => toRows(Float32Array.from(state.m[2 * l]), this.sizes[l + 1], this.sizes[l]));
    this.mb = this.W.map((_, l) => Float32Array.from(state.m[2 * l + 1]));
    this.vW = this.W.map((_, l) => toRows(Float32Array.from(state.v[2 * l]), this.sizes[l + 1], this.sizes[l]));
    this.vb = this.W.map((_, l) => Float32Array.from(state.v[2 * l + 1]));
  }

  async dispose(): Promise<void> {
    for (const p of this.pipelines.values()) await p.destroy();
    this.pipelines.clear();
    await this.gpu.destroy();
    if (this.mode === "webgpu") await releaseWebGPU();
  }
}

function gpuBackend(name: string, mode: GpuMode, description: string): Backend {
  return {
    name,
    description,
    priority: { webgpu: 30, webgl2: 25, webasm: 10, cpu: -10 }[mode],
    probe: async () => {
      const m = await modeAvailable(mode);
      if (!m.available) return { available: false, reason: m.reason };
      if (m.software) return { available: true, device: m.adapter, autoSkip: `its adapter is a software renderer (${m.adapter}), slower than webasm` };
      if (mode === "cpu") return { available: true, autoSkip: "gpu.js's JavaScript mode is for checking kernels, not for speed" };
      return { available: true, ...(m.adapter ? { device: m.adapter } : {}) };
    },
    create: (options) => GpuTrainer.create(mode, options, name),
  };
}

/**
 * gpu.js on WebGPU (WGSL compute shaders; in Node through Dawn).
 *
 * @example
 * ```ts
 * registerBackend(webgpuBackend);
 * ```
 */
export const webgpuBackend = gpuBackend("webgpu", "webgpu", "gpu.js kernels as WGSL compute shaders on a WebGPU adapter");

/**
 * gpu.js on WebAssembly (f32x4 SIMD, fused pipeline plans).
 *
 * @example
 * ```ts
 * registerBackend(webasmBackend);
 * ```
 */
export const webasmBackend = gpuBackend("webasm", "webasm", "gpu.js kernels compiled to WebAssembly with SIMD");

/**
 * gpu.js's `cpu` mode (kernels transpiled to JavaScript): the slow, always-available mode, useful
 * to check the kernels themselves.
 *
 * @example
 * ```ts
 * registerBackend(gpujsCpuBackend);
 * ```
 */
export const gpujsCpuBackend = gpuBackend("gpujs-cpu", "cpu", "gpu.js kernels transpiled to JavaScript");
