/**
 * @module
 * The gpu.js backend: the reference's network and training step as gpu.js kernels — 3·L + ⌈L/5⌉
 * a step for L layers (at most 3·L + 2 up to ten layers), listed in `kernels.ts` — run as one
 * compiled `createPipeline` plan per epoch so that activations, gradients, weights and Adam
 * moments stay inside the plan; only each step's loss terms and the new state pack (weights and
 * moments) come back, once per call. Batches are the runner's seeded shuffle: the host lays the
 * epoch's samples out in shuffled order and each step reads its slice.
 */

import * as gpujs from "#gpu.js";
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
  ADAM_LAYERS,
  adamKernel,
  denseInputKernel,
  denseKernel,
  inputGradKernel,
  kernelFunction,
  outputGradKernel,
  outputKernel,
  specialize,
  weightGradInputKernel,
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
  /** z = W·ACT(zPrev) + b (layer 0: W·x + b, x read from the epoch's inputs) */
  dense: Kernel;
  /** dW with db as one more row, transposed (layer 0 reads x from the epoch's inputs) */
  weightGrad: Kernel;
  /** dz of the layer below (none for layer 0) */
  inputGrad: Kernel | null;
}

/**
 * Where each layer sits in the state pack (see `kernels.ts`): rows `row … row + nIn` of each of
 * its three row blocks (parameters, m, v), Wᵀ with the bias last, columns `0 … nOut − 1`.
 */
interface PackLayout {
  /** first row of each layer */
  readonly rows: number[];
  /** R, the rows of one block: Σ (nIn + 1) */
  readonly R: number;
  /** K, the columns: max nOut */
  readonly K: number;
}

/** The state pack's layout for a network of layer sizes `sizes` (inputs, hidden widths, outputs). */
function packLayout(sizes: readonly number[]): PackLayout {
  const rows: number[] = [];
  let R = 0;
  let K = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    rows.push(R);
    R += sizes[l] + 1;
    K = Math.max(K, sizes[l + 1]);
  }
  return { rows, R, K };
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
 * Layer l's weights and bias as the reference lays them out (W row-major [nOut][nIn], b), from
 * its transposed rows `[nIn + 1][≥ nOut]` (bias last) starting at row `first` of `pack`.
 */
function readLayer(pack: readonly ArrayLike<number>[], first: number, nIn: number, nOut: number): LayerWeights {
  const weight = new Float32Array(nOut * nIn);
  for (let i = 0; i < nIn; i++) {
    const row = pack[first + i];
    for (let j = 0; j < nOut; j++) weight[j * nIn + i] = row[j];
  }
  const biasRow = pack[first + nIn];
  return { weight, bias: Float32Array.from({ length: nOut }, (_, j) => biasRow[j]) };
}

/** The inverse of {@link readLayer}: write W and b into `pack`'s rows from `first`. */
function writeLayer(pack: Float32Array[], first: number, nIn: number, nOut: number, w: LayerWeights): void {
  for (let i = 0; i < nIn; i++) {
    const row = pack[first + i];
    for (let j = 0; j < nOut; j++) row[j] = w.weight[j * nIn + i];
  }
  pack[first + nIn].set(w.bias.subarray(0, nOut));
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
  private readonly layout: PackLayout;
  private readonly output: Kernel;
  private readonly outputGrad: Kernel;
  /** Adam's kernels, each over up to ADAM_LAYERS consecutive layers */
  private readonly adamKernels: { kernel: Kernel; layers: number[] }[];
  private readonly pipelines = new Map<string, Pipeline>();
  /** the state pack (kernels.ts): every weight, bias and Adam moment, rows [3·R][K], as the pipelines take and return it */
  private state: Float32Array[];
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
    const layout = packLayout(this.sizes);
    const { R, K } = layout;
    this.layout = layout;
    this.layers = [];
    for (let l = 0; l < L; l++) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const row = layout.rows[l];
      this.layers.push({
        dense: l === 0 ? make(denseInputKernel, [nOut, B], { nIn, row }) : make(specialize(denseKernel, names), [nOut, B], { nIn, row }),
        weightGrad:
          l === 0 ? make(weightGradInputKernel, [K, nIn + 1], { B, nIn, nOut }) : make(specialize(weightGradKernel, names), [K, nIn + 1], { B, nIn, nOut }),
        inputGrad: l > 0 ? make(specialize(inputGradKernel, names), [nIn, B], { nOut, row }) : null,
      });
    }
    const C = options.spec.outputs;
    this.output = make(specialize(outputKernel, names), [C, B]);
    this.outputGrad = make(specialize(outputGradKernel, names), [C, B + 1], { B, C });
    // Adam, one kernel per ADAM_LAYERS consecutive layers (one kernel up to five layers). Its
    // constants start0 … start5 bound its layers' rows; slots past its last layer are empty (start = end).
    this.adamKernels = [];
    for (let first = 0; first < L; first += ADAM_LAYERS) {
      const layers = Array.from({ length: Math.min(ADAM_LAYERS, L - first) }, (_, k) => first + k);
      const end = first + layers.length < L ? layout.rows[first + layers.length] : R;
      const starts = Object.fromEntries(Array.from({ length: ADAM_LAYERS + 1 }, (_, k) => [`start${k}`, k < layers.length ? layout.rows[layers[k]] : end]));
      this.adamKernels.push({ kernel: make(adamKernel, [K, 3 * R], { R, ...starts, beta1, beta2, eps }, ADAM_FUNCTIONS), layers });
    }
    this.state = Array.from({ length: 3 * R }, () => new Float32Array(K));
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
   * Record one batch's forward and backward pass (inside an orchestration), as
   * `reference/mlp.ts` does it, for rows `start … start + count − 1` of the epoch's inputs and
   * targets: z[l] = W[l]·ACT(z[l−1]) + b[l]; dz of the output layer and the loss's terms; then
   * from the top, layer by layer, dW and db and the dz of the layer below. Both the training step
   * and {@link GpuTrainer.gradients} are recorded from here, so they run the same kernels: 3·L of
   * them (the step adds Adam's).
   */
  private forwardBackward(xs: Handle, ys: Handle, start: number, count: number, S: Handle) {
    const { layers, outputGrad } = this;
    const L = layers.length;
    // forward: z[l] = W[l]·ACT(z[l−1]) + b[l], the activation applied as the next kernel reads
    const z: Handle[] = [];
    for (let l = 0; l < L; l++) z.push(l === 0 ? layers[0].dense(xs, S, start, count) : layers[l].dense(z[l - 1], S));
    // dz of the output layer, rows 0 … B − 1; row B: the loss's C terms
    let dz = outputGrad(z[L - 1], ys, start, count);
    const lossTerms = dz;
    // backward from the top: each layer's dW and db, then dz moves down a layer
    const G: Handle[] = [];
    for (let l = L - 1; l >= 0; l--) {
      G[l] = l === 0 ? layers[0].weightGrad(dz, xs, start, count) : layers[l].weightGrad(dz, z[l - 1]);
      if (l > 0) dz = (layers[l].inputGrad as Kernel)(dz, S, z[l - 1]);
    }
    return { z, lossTerms, G };
  }

  /** The batch's loss from the output gradient's extra row (its C terms, added here). */
  private lossOf(outputGrad: unknown): number {
    const row = (outputGrad as ArrayLike<number>[])[this.B];
    let loss = 0;
    for (let c = 0; c < this.spec.outputs; c++) loss += row[c];
    return loss;
  }

  /** The training plan for consecutive steps of the given batch sizes, built once per shape. */
  private trainPipeline(counts: number[]): Pipeline {
    const key = counts.join(",");
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const { B, adamKernels } = this;
    const self = this;
    // arguments: the epoch's inputs and targets in training order, Adam's per-step bias corrections, the state pack
    const orchestrate = function (this: unknown, xs: Handle, ys: Handle, corrections: Handle, S0: Handle) {
      let S = S0;
      const lossTerms: Handle[] = [];
      for (let s = 0; s < counts.length; s++) {
        const { lossTerms: terms, G } = self.forwardBackward(xs, ys, s * B, counts[s], S);
        lossTerms.push(terms);
        // Adam, step t = adamSteps + s + 1: its bias corrections are pair s of `corrections`; a
        // kernel's empty slots get its last layer's gradient, which they never read
        for (const { kernel, layers } of adamKernels) {
          const g = Array.from({ length: ADAM_LAYERS }, (_, k) => G[layers[Math.min(k, layers.length - 1)]]);
          S = kernel(S, ...g, corrections, s);
        }
      }
      return [S, ...lossTerms];
    };
    const pipeline = this.gpu.createPipeline(orchestrate as unknown as gpujs.PipelineFunction);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Run `counts.length` steps over samples already laid out in training order. */
  private async runSteps(xs: Float32Array, ys: Float32Array, counts: number[], lr: number): Promise<number[]> {
    const pipeline = this.trainPipeline(counts);
    // Adam's bias corrections of each step, in float64 on the host as the reference computes them
    const corrections = counts.map((_, s) => adamCorrections(this.adamSteps + s + 1, this.adam, lr));
    const pairs = Float32Array.from(corrections.flatMap((c) => [c.stepSize, c.bc2Sqrt]));
    const result = (await pipeline(xs, ys, pairs, this.state)) as unknown[];
    this.checkRan(pipeline);
    this.state = rows(result[0]);
    this.adamSteps += counts.length;
    return result.slice(1).map((r) => this.lossOf(r));
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
      const y = flatten(await pipeline(x, this.state));
      this.checkRan(pipeline);
      out.set(y.subarray(0, n * C), start * C);
    }
    return out;
  }

  /** The forward plan: arguments x and the state pack; result ŷ = OUT(z of the last layer). */
  private forwardPipeline(): Pipeline {
    const cached = this.pipelines.get("forward");
    if (cached) return cached;
    const { layers, output, B } = this;
    const orchestrate = function (this: unknown, xs: Handle, S: Handle) {
      let z = layers[0].dense(xs, S, 0, B);
      for (let l = 1; l < layers.length; l++) z = layers[l].dense(z, S);
      return output(z);
    };
    const pipeline = this.gpu.createPipeline(orchestrate as unknown as gpujs.PipelineFunction);
    this.pipelines.set("forward", pipeline);
    return pipeline;
  }

  /**
   * The gradients plan for a batch of `count`: arguments xs, ys and the state pack; results ŷ,
   * the output gradient (its last row: the loss's terms), then each layer's gradient — the
   * training step's kernels, without Adam.
   */
  private gradientsPipeline(count: number): Pipeline {
    const key = `gradients ${count}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const L = this.layers.length;
    const { output } = this;
    const self = this;
    const orchestrate = function (this: unknown, xs: Handle, ys: Handle, S: Handle) {
      const { z, lossTerms, G } = self.forwardBackward(xs, ys, 0, count, S);
      return [output(z[L - 1]), lossTerms, ...G];
    };
    const pipeline = this.gpu.createPipeline(orchestrate as unknown as gpujs.PipelineFunction);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients> {
    if (!Number.isInteger(count) || count < 1 || count > this.B) throw new RangeError(`batch ${count} must be an integer from 1 to maxBatch ${this.B}`);
    const { inputs: F, outputs: C } = this.spec;
    const pipeline = this.gradientsPipeline(count);
    const result = (await pipeline(inputs.subarray(0, count * F), targets.subarray(0, count * C), this.state)) as unknown[];
    this.checkRan(pipeline);
    const grads = this.layers.map((_, l) => readLayer(result[2 + l] as ArrayLike<number>[], 0, this.sizes[l], this.sizes[l + 1]));
    return { outputs: flatten(result[0]).slice(0, count * C), loss: this.lossOf(result[1]), grads };
  }

  /** The state pack's first row of layer l in block `block` (0 parameters, 1 m, 2 v). */
  private first(l: number, block: number): number {
    return block * this.layout.R + this.layout.rows[l];
  }

  async getWeights(): Promise<LayerWeights[]> {
    return this.layers.map((_, l) => readLayer(this.state, this.first(l, 0), this.sizes[l], this.sizes[l + 1]));
  }

  setWeights(weights: LayerWeights[]): void {
    const L = this.sizes.length - 1;
    if (weights.length !== L) throw new RangeError(`expected weights for ${L} layers, got ${weights.length}`);
    // the parameter rows only: Adam's moments stay (a new trainer starts them at zero)
    const state = this.state.map((row) => row.slice());
    weights.forEach((w, l) => {
      writeLayer(state, this.first(l, 0), this.sizes[l], this.sizes[l + 1], w);
    });
    this.state = state;
  }

  async getOptimizerState(): Promise<OptimizerSnapshot> {
    const m: Float32Array[] = [];
    const v: Float32Array[] = [];
    for (let l = 0; l < this.layers.length; l++) {
      const ml = readLayer(this.state, this.first(l, 1), this.sizes[l], this.sizes[l + 1]);
      const vl = readLayer(this.state, this.first(l, 2), this.sizes[l], this.sizes[l + 1]);
      m.push(ml.weight, ml.bias);
      v.push(vl.weight, vl.bias);
    }
    return { step: this.adamSteps, m, v };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    this.adamSteps = state.step;
    const next = this.state.map((row) => row.slice());
    for (let l = 0; l < this.layers.length; l++) {
      writeLayer(next, this.first(l, 1), this.sizes[l], this.sizes[l + 1], { weight: state.m[2 * l], bias: state.m[2 * l + 1] });
      writeLayer(next, this.first(l, 2), this.sizes[l], this.sizes[l + 1], { weight: state.v[2 * l], bias: state.v[2 * l + 1] });
    }
    this.state = next;
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
