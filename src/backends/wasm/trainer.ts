/**
 * @module
 * The `wasm` backend: the reference's training step, step for step, in WebAssembly kernels
 * (`assembly/`, compiled by AssemblyScript at build time): SIMD matrix products in 4×8 register
 * tiles with the bias and ReLU fused in, the bias gradient summed while dz is transposed, the
 * other activations elementwise in f64, and Adam in f64 (bit for bit the reference's). The large
 * kernels are split over two threads sharing the memory. The MSE, a few thousand values per step,
 * is the reference's own function over a view of that memory. Every buffer is laid out once, in
 * one WebAssembly memory: a step allocates no buffers (only a few small JavaScript objects). The
 * epoch's batch loop stays in JavaScript, one kernel call after another (about 0.04 ms of a 3.7 ms
 * step, measured), so that an epoch can stop after any batch and resume exactly there.
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Encoder } from "../../encoding/index.js";
import { EncodedOnDemand, gatherInputs, type NetworkInputs } from "../../encoding/inputs.js";
import type { ActivationName } from "../../reference/activations/index.js";
import { adamCorrections } from "../../reference/adam.js";
import type { FloatArray } from "../../reference/dtype.js";
import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import { mseBackward, mseForward } from "../../reference/mse.js";
import { stepThroughEpoch } from "../batches.js";
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

/** The kernel module's exports (pointers in bytes, sizes in elements; see assembly/gemm.ts). */
interface Kernels {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, bias: number, relu: number, mask: number): void;
  gemmNT(A: number, B: number, C: number, R: number, K: number, N: number, bias: number): void;
  transpose(M: number, T: number, R: number, N: number, ldM: number, sums: number): void;
  reluForward(z: number, a: number, n: number): void;
  reluBackward(z: number, da: number, dz: number, n: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number): void;
  activationForward(kind: number, z: number, a: number, n: number): void;
  activationBackward(kind: number, z: number, da: number, dz: number, n: number): void;
}

/**
 * The activation kernels' codes (assembly/activations.ts); ReLU has its own fused kernels.
 *
 * @example
 * ```ts
 * kernels.activationForward(WASM_ACTIVATIONS.gelu, z, a, n);
 * ```
 */
export const WASM_ACTIVATIONS: Record<Exclude<ActivationName, "relu">, number> = { gelu: 1, elu: 2, tanh: 3, sigmoid: 4, sine: 5, identity: 6 };

/**
 * The kernels the helper thread runs, by index in its control block (see worker.ts): the
 * WebAssembly kernels, and two JavaScript tasks for inputs encoded on demand — take an encoder
 * (sent through a message port) and encode a run of coordinates with it.
 *
 * @example
 * ```ts
 * control[3] = HELPER_KERNELS.indexOf("gemm");
 * ```
 */
export const HELPER_KERNELS = ["gemm", "gemmNT", "transpose", "adam", "activationForward", "activationBackward", "setEncoder", "encode"] as const;

/** The compiled kernels and which build they are. */
interface KernelBuild {
  readonly module: WebAssembly.Module;
  /** where the module's static data ends: buffers start at or after it */
  readonly heapBase: number;
  /** true: the relaxed-SIMD build (fused multiply-adds); false: plain SIMD (multiply, then add) */
  readonly fused: boolean;
}

let compiled: KernelBuild | null = null;

/**
 * The compiled kernel module (built by `npm run build:wasm` into dist/backends/wasm/). Two builds of the same
 * source: `kernels-fma.wasm` uses relaxed SIMD's fused multiply-add, about 1.5× faster on x86-64 with
 * FMA (one instruction where the plain build needs a multiply and an add); `kernels.wasm` is plain
 * SIMD. Node 22's V8 has relaxed SIMD on; Node 20's (V8 11.3) has it behind
 * `--experimental-wasm-relaxed-simd`, which is switched on here if needed (it only adds
 * instructions to the validator). `COORDNET_WASM_FMA=0` picks the plain build.
 */
function kernelBuild(): KernelBuild {
  if (compiled !== null) return compiled;
  const bytes = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url));
  let module: WebAssembly.Module | null = null;
  let fused = false;
  if (process.env.COORDNET_WASM_FMA !== "0") {
    const fma = bytes("kernels-fma.wasm");
    if (!WebAssembly.validate(fma)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (WebAssembly.validate(fma)) {
      module = new WebAssembly.Module(fma);
      fused = true;
    }
  }
  module ??= new WebAssembly.Module(bytes("kernels.wasm"));
  // ask a throwaway instance where the static data ends
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const probe = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as unknown as { heapBase(): number };
  compiled = { module, fused, heapBase: probe.heapBase() };
  return compiled;
}

/**
 * Matrix products below this many multiply-adds run on the calling thread alone: handing half to
 * the helper costs a few microseconds of signalling.
 */
const PARALLEL_MIN_MACS = 1 << 16;

/** Elementwise loops below this many elements run on the calling thread alone (same reason). */
const PARALLEL_MIN_ELEMENTS = 1 << 12;

/**
 * The trainer's helper thread: it takes the second half of each large kernel's work — rows of a
 * matrix product, columns of a transpose, elements of an activation or of Adam. Results do not
 * depend on the split (each output element is computed by one thread, in the same order).
 */
class Helper {
  private readonly worker: Worker;
  /** [generation, done, quit, kernel index] */
  private readonly control: Int32Array;
  /** the kernel's arguments */
  private readonly args: Float64Array;
  private generation = 0;
  readonly ready: Promise<void>;

  /** where encoders are sent (the helper reads them synchronously: it never waits on events) */
  private readonly port: MessagePort;
  /** the encoder the helper holds */
  private encoder: Encoder | null = null;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    const shared = new SharedArrayBuffer(16 + 8 * 12);
    this.control = new Int32Array(shared, 0, 4);
    this.args = new Float64Array(shared, 16, 12);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { module, memory, shared, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("message", () => resolve());
      this.worker.once("error", reject);
    });
    // a helper that dies mid-run would leave finish() waiting forever: fail loudly instead
    this.worker.on("error", (e) => {
      console.error(`coordnet: the wasm helper thread failed: ${e.message}`);
      process.exit(1);
    });
  }

  /** Start `kernel(...args)` on the helper. */
  start(kernel: (typeof HELPER_KERNELS)[number], ...args: number[]): void {
    this.args.set(args);
    this.control[3] = HELPER_KERNELS.indexOf(kernel);
    this.generation += 1;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
  }

  /** Give the helper `encoder` (once per encoder) for the "encode" task. */
  useEncoder(encoder: Encoder): void {
    if (this.encoder === encoder) return;
    this.port.postMessage({ config: encoder.config, matrix: encoder.matrix });
    this.start("setEncoder");
    this.finish();
    this.encoder = encoder;
  }

  /** Wait until the helper has finished (spinning first: it usually finishes within microseconds). */
  finish(): void {
    for (let spin = 0; spin < SPIN && Atomics.load(this.control, 1) !== this.generation; spin++);
    for (;;) {
      // wait on the value just checked: re-reading it for the wait could miss the helper's notify
      const done = Atomics.load(this.control, 1);
      if (done === this.generation) return;
      Atomics.wait(this.control, 1, done);
    }
  }

  async stop(): Promise<void> {
    this.port.close();
    this.control[2] = 1;
    this.generation += 1;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
    await this.worker.terminate();
  }
}

/**
 * How many times a waiting thread re-reads the control block before it sleeps (about a
 * millisecond): waking a sleeping thread costs tens of microseconds on a virtual machine, as much
 * as half of one of a step's matrix products.
 *
 * @example
 * ```ts
 * for (let spin = 0; spin < SPIN && Atomics.load(control, 0) === seen; spin++);
 * ```
 */
export const SPIN = 1 << 20;

/** A float32 region of the WebAssembly memory: its byte offset and a view onto it. */
interface Region {
  readonly ptr: number;
  readonly view: Float32Array;
}

/** One layer's regions. */
interface LayerRegions {
  readonly nIn: number;
  readonly nOut: number;
  /** W [nOut][nIn] (PyTorch layout), b [nOut]: parts of the one parameter block */
  readonly W: Region;
  readonly b: Region;
  /** their gradients, parts of the one gradient block (same layout) */
  readonly dW: Region;
  readonly db: Region;
  /** Wᵀ [nIn][nOut], copied from W once per step for the forward product */
  readonly Wt: Region;
  /** z = a·Wᵀ + b [B][nOut]; a_next = act(z) [B][nOut]; da_next, reused as dz [B][nOut] */
  readonly z: Region;
  readonly aNext: Region;
  readonly daNext: Region;
}

/** WebAssembly memory's limit, in 64 KiB pages (4 GiB; the kernels are built with this maximum). */
const MAX_PAGES = 65536;

/** Outputs narrower than this use the dot-product kernel (gemmNT) instead of gemm's 8-column tiles. */
const NARROW = 8;

/**
 * A {@link Trainer} running the reference's step with WebAssembly kernels on two threads (see the
 * module's description).
 *
 * @example
 * ```ts
 * const trainer = new WasmTrainer(options);
 * await trainer.epoch(inputs, targets, order, 1024, 1e-3);
 * ```
 */
export class WasmTrainer implements Trainer {
  readonly spec: MLPSpec;
  readonly info: TrainerInfo;
  private readonly k: Kernels;
  private readonly B: number;
  private readonly layers: LayerRegions[];
  /** every parameter [W₀, b₀, W₁, b₁, …] back to back; gradients, m and v in the same layout */
  private readonly params: Region;
  private readonly grads: Region;
  private readonly m: Region;
  private readonly v: Region;
  /** input batch [B][inputs], targets [B][outputs] */
  private readonly x: Region;
  private readonly y: Region;
  /** dz transposed, [nOut][count]; a narrow layer input transposed, [nIn][count] */
  private readonly dzT: Region;
  private readonly aT: Region;
  /** coordinates of a batch whose inputs are encoded on demand, [B][2] */
  private readonly coords: Region;
  private readonly adam: TrainerOptions["adam"];
  private adamStep = 0;
  private transposed = false;

  private readonly helper: Helper | null;

  /**
   * @param threads - 1 (this thread) or 2 (with a helper thread sharing the memory); default: 2
   *   where the machine has at least 2 cores
   */
  constructor(options: TrainerOptions, threads = Math.min(2, availableParallelism())) {
    this.spec = options.spec;
    const build = kernelBuild();
    const kernelName = `AssemblyScript f32x4${build.fused ? " relaxed madd" : ""}, 4×8 register tiles`;
    this.info = { backend: "wasm", details: { kernels: kernelName, threads: String(threads) } };
    this.adam = options.adam;
    const B = options.maxBatch;
    this.B = B;
    const sizes = layerSizes(options.spec);
    const shapes = sizes.slice(1).map((nOut, l) => ({ nIn: sizes[l], nOut }));
    const nParams = shapes.reduce((n, { nIn, nOut }) => n + nOut * nIn + nOut, 0);
    // lay out every buffer once, 16-byte aligned, after the module's static data (so never at 0,
    // which stands for "none" in the kernels)
    let top = Math.ceil(Math.max(16, build.heapBase) / 16) * 16;
    const take = (floats: number) => {
      const ptr = top;
      top += Math.ceil(floats / 4) * 16;
      return { ptr, floats };
    };
    const plan = {
      params: take(nParams),
      grads: take(nParams),
      m: take(nParams),
      v: take(nParams),
      layers: shapes.map(({ nIn, nOut }) => ({ Wt: take(nIn * nOut), z: take(B * nOut), aNext: take(B * nOut), daNext: take(B * nOut) })),
      dzT: take(B * Math.max(...sizes.slice(1))),
      aT: take(B * NARROW),
      coords: take(2 * B),
      x: take(B * sizes[0]),
      y: take(B * options.spec.outputs),
    };
    const pages = Math.ceil(top / 65536) + 1;
    if (pages > MAX_PAGES)
      throw new BackendUnavailableError(
        `the wasm backend cannot hold this network with batches of ${B}: it needs ${(top / 2 ** 30).toFixed(1)} GiB of WebAssembly memory, more than its 4 GiB; use a smaller --batch-size or --width, or another --backend`,
      );
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const region = ({ ptr, floats }: { ptr: number; floats: number }): Region => ({ ptr, view: new Float32Array(memory.buffer, ptr, floats) });
    this.params = region(plan.params);
    this.grads = region(plan.grads);
    this.m = region(plan.m);
    this.v = region(plan.v);
    let offset = 0;
    this.layers = shapes.map(({ nIn, nOut }, l) => {
      const part = (block: { ptr: number }, at: number, floats: number) => region({ ptr: block.ptr + 4 * at, floats });
      const layer = {
        nIn,
        nOut,
        W: part(plan.params, offset, nOut * nIn),
        b: part(plan.params, offset + nOut * nIn, nOut),
        dW: part(plan.grads, offset, nOut * nIn),
        db: part(plan.grads, offset + nOut * nIn, nOut),
        Wt: region(plan.layers[l].Wt),
        z: region(plan.layers[l].z),
        aNext: region(plan.layers[l].aNext),
        daNext: region(plan.layers[l].daNext),
      };
      offset += nOut * nIn + nOut;
      return layer;
    });
    this.dzT = region(plan.dzT);
    this.aT = region(plan.aT);
    this.coords = region(plan.coords);
    this.x = region(plan.x);
    this.y = region(plan.y);

    const kernels = new WebAssembly.Instance(build.module, { env: { memory, abort: () => {} } }).exports as unknown as Kernels;
    this.helper = threads > 1 ? new Helper(build.module, memory) : null;
    const helper = this.helper;
    // the large kernels on both threads: the helper takes the second half of the rows (elements);
    // 0 where the work is too small to share
    const split = (R: number, work: number, min = PARALLEL_MIN_MACS) => (helper === null || R < 8 || work < min ? 0 : R >> 1);
    this.k = {
      ...kernels,
      gemm: (A, Bp, C, R, K, N, sAr, sAk, bias, relu, mask) => {
        const h = split(R, R * K * N);
        if (h === 0) return kernels.gemm(A, Bp, C, R, K, N, sAr, sAk, bias, relu, mask);
        const at = (p: number) => (p === 0 ? 0 : p + 4 * h * N);
        helper?.start("gemm", A + 4 * h * sAr, Bp, at(C), R - h, K, N, sAr, sAk, bias, at(relu), at(mask));
        kernels.gemm(A, Bp, C, h, K, N, sAr, sAk, bias, relu, mask);
        helper?.finish();
      },
      transpose: (M, T, R, N, ldM, sums) => {
        // split by columns, at a multiple of 4: each column (and its sum) is one thread's
        const h = helper === null || R * N < PARALLEL_MIN_ELEMENTS << 3 ? 0 : (N >> 3) << 2;
        if (h === 0) return kernels.transpose(M, T, R, N, ldM, sums);
        helper?.start("transpose", M + 4 * h, T + 4 * h * R, R, N - h, ldM, sums === 0 ? 0 : sums + 4 * h);
        kernels.transpose(M, T, R, h, ldM, sums);
        helper?.finish();
      },
      gemmNT: (A, Bp, C, R, K, N, bias) => {
        const h = split(R, R * K * N);
        if (h === 0) return kernels.gemmNT(A, Bp, C, R, K, N, bias);
        helper?.start("gemmNT", A + 4 * h * K, Bp, C + 4 * h * N, R - h, K, N, bias);
        kernels.gemmNT(A, Bp, C, h, K, N, bias);
        helper?.finish();
      },
      activationForward: (kind, z, a, n) => {
        const h = split(n, n, PARALLEL_MIN_ELEMENTS);
        if (h === 0) return kernels.activationForward(kind, z, a, n);
        helper?.start("activationForward", kind, z + 4 * h, a + 4 * h, n - h);
        kernels.activationForward(kind, z, a, h);
        helper?.finish();
      },
      activationBackward: (kind, z, da, dz, n) => {
        const h = split(n, n, PARALLEL_MIN_ELEMENTS);
        if (h === 0) return kernels.activationBackward(kind, z, da, dz, n);
        helper?.start("activationBackward", kind, z + 4 * h, da + 4 * h, dz + 4 * h, n - h);
        kernels.activationBackward(kind, z, da, dz, h);
        helper?.finish();
      },
      adam: (p, g, m, v, n, beta1, beta2, eps, stepSize, bc2Sqrt) => {
        const h = split(n, 4 * n);
        if (h === 0) return kernels.adam(p, g, m, v, n, beta1, beta2, eps, stepSize, bc2Sqrt);
        helper?.start("adam", p + 4 * h, g + 4 * h, m + 4 * h, v + 4 * h, n - h, beta1, beta2, eps, stepSize, bc2Sqrt);
        kernels.adam(p, g, m, v, h, beta1, beta2, eps, stepSize, bc2Sqrt);
        helper?.finish();
      },
    };
    this.setWeights(options.weights);
  }

  /**
   * {@link gatherInputs} into `x` (`out` is `x`'s view), with inputs encoded on demand encoded on
   * both threads: the batch's coordinates are gathered here, then each thread encodes half of them
   * with the same encoder (the same JavaScript functions, so the same bits).
   */
  private readonly gather = (inputs: NetworkInputs, F: number, out: FloatArray, n: number, start: number, order?: Uint32Array): void => {
    const helper = this.helper;
    if (!(inputs instanceof EncodedOnDemand) || helper === null || n * F < PARALLEL_MIN_ELEMENTS || out !== this.x.view) {
      gatherInputs(inputs, F, out, n, start, order);
      return;
    }
    inputs.expectFeatures(F);
    const points = this.coords.view;
    inputs.gatherPoints(points, n, start, order);
    helper.useEncoder(inputs.encoder);
    const h = n >> 1;
    helper.start("encode", this.coords.ptr + 8 * h, this.x.ptr + 4 * h * F, n - h);
    inputs.encoder.encode(points, out, h);
    helper.finish();
  };

  /** Forward pass over the `count` rows in `x`; returns the output view [count][outputs]. */
  private forward(count: number): Float32Array {
    const { k } = this;
    if (!this.transposed) {
      for (const l of this.layers) k.transpose(l.W.ptr, l.Wt.ptr, l.nOut, l.nIn, l.nIn, 0);
      this.transposed = true;
    }
    let a = this.x;
    this.layers.forEach((l, i) => {
      const act = i === this.layers.length - 1 ? this.spec.outputActivation : this.spec.activation;
      // z = b + a·Wᵀ, and a_next = act(z): ReLU as the product's epilogue, others after it
      const n = count * l.nOut;
      if (l.nOut < NARROW) k.gemmNT(a.ptr, l.W.ptr, l.z.ptr, count, l.nIn, l.nOut, l.b.ptr);
      else k.gemm(a.ptr, l.Wt.ptr, l.z.ptr, count, l.nIn, l.nOut, l.nIn, 1, l.b.ptr, act === "relu" ? l.aNext.ptr : 0, 0);
      if (act === "relu" && l.nOut < NARROW) k.reluForward(l.z.ptr, l.aNext.ptr, n);
      else if (act !== "relu") k.activationForward(WASM_ACTIVATIONS[act], l.z.ptr, l.aNext.ptr, n);
      a = l.aNext;
    });
    return a.view.subarray(0, count * this.spec.outputs);
  }

  /** One step on the `count` rows in `x`/`y`; returns the loss before the step. */
  private stepNow(count: number, lr: number): number {
    const { k, layers } = this;
    const n = count * this.spec.outputs;
    const pred = this.forward(count);
    const loss = mseForward(pred, this.y.view, n);
    const L = layers.length;
    const top = layers[L - 1];
    // dz of the output layer = ∂L/∂ŷ ⊙ act'(z)
    mseBackward(pred, this.y.view, top.daNext.view, n);
    if (this.spec.outputActivation === "relu") k.reluBackward(top.z.ptr, top.daNext.ptr, top.daNext.ptr, n);
    else k.activationBackward(WASM_ACTIVATIONS[this.spec.outputActivation], top.z.ptr, top.daNext.ptr, top.daNext.ptr, n);
    for (let i = L - 1; i >= 0; i--) {
      const l = layers[i];
      const a = i === 0 ? this.x : layers[i - 1].aNext;
      // db = Σ_n dz (summed while dz is transposed), dW = dzᵀ·a
      k.transpose(l.daNext.ptr, this.dzT.ptr, count, l.nOut, l.nOut, l.db.ptr);
      if (l.nIn < NARROW) {
        k.transpose(a.ptr, this.aT.ptr, count, l.nIn, l.nIn, 0);
        k.gemmNT(this.dzT.ptr, this.aT.ptr, l.dW.ptr, l.nOut, count, l.nIn, 0);
      } else k.gemm(this.dzT.ptr, a.ptr, l.dW.ptr, l.nOut, count, l.nIn, count, 1, 0, 0, 0);
      if (i === 0) break;
      // dz of the layer below = (dz·W) ⊙ act'(z below): ReLU's derivative as the product's epilogue
      const below = layers[i - 1];
      const act = this.spec.activation;
      k.gemm(l.daNext.ptr, l.W.ptr, below.daNext.ptr, count, l.nOut, l.nIn, l.nOut, 1, 0, 0, act === "relu" ? below.z.ptr : 0);
      if (act !== "relu") k.activationBackward(WASM_ACTIVATIONS[act], below.z.ptr, below.daNext.ptr, below.daNext.ptr, count * l.nIn);
    }
    this.adamStep += 1;
    const { stepSize, bc2Sqrt } = adamCorrections(this.adamStep, this.adam, lr);
    const { beta1, beta2, eps } = this.adam;
    k.adam(this.params.ptr, this.grads.ptr, this.m.ptr, this.v.ptr, this.params.view.length, beta1, beta2, eps, stepSize, bc2Sqrt);
    this.transposed = false;
    return loss;
  }

  async step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number> {
    if (count > this.B) throw new RangeError(`batch ${count} exceeds maxBatch ${this.B}`);
    this.x.view.set(inputs.subarray(0, count * this.spec.inputs));
    this.y.view.set(targets.subarray(0, count * this.spec.outputs));
    return this.stepNow(count, lr);
  }

  async epoch(
    inputs: NetworkInputs,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    const buffers = { x: this.x.view, y: this.y.view, inputs: this.spec.inputs, outputs: this.spec.outputs, gather: this.gather };
    return stepThroughEpoch(inputs, targets, order, batchSize, buffers, options, (count) => this.stepNow(count, lr));
  }

  async predict(inputs: NetworkInputs, count: number): Promise<Float32Array> {
    const { inputs: F, outputs: C } = this.spec;
    const out = new Float32Array(count * C);
    for (let start = 0; start < count; start += this.B) {
      const n = Math.min(this.B, count - start);
      this.gather(inputs, F, this.x.view, n, start);
      out.set(this.forward(n), start * C);
    }
    return out;
  }

  async gradients(_inputs: Float32Array, _targets: Float32Array, _count: number): Promise<BatchGradients> {
    throw new Error("TODO(issue 9): gradients not yet implemented on this backend");
  }

  getWeights(): LayerWeights[] {
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
    return this.layers.flatMap((l) => [
      { at: (l.W.ptr - this.params.ptr) / 4, length: l.W.view.length },
      { at: (l.b.ptr - this.params.ptr) / 4, length: l.b.view.length },
    ]);
  }

  getOptimizerState(): OptimizerSnapshot {
    const parts = this.parts();
    return {
      step: this.adamStep,
      m: parts.map(({ at, length }) => this.m.view.slice(at, at + length)),
      v: parts.map(({ at, length }) => this.v.view.slice(at, at + length)),
    };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    const parts = this.parts();
    if (state.m.length !== parts.length || state.v.length !== parts.length)
      throw new RangeError(`expected Adam moments for ${parts.length} parameter arrays, got ${state.m.length}`);
    parts.forEach(({ at, length }, i) => {
      if (state.m[i].length !== length || state.v[i].length !== length) throw new RangeError(`Adam moments ${i}: expected ${length} values`);
      this.m.view.set(state.m[i], at);
      this.v.view.set(state.v[i], at);
    });
    this.adamStep = state.step;
  }

  async dispose(): Promise<void> {
    await this.helper?.stop();
  }

  /** Resolves once the helper thread (if any) is ready; training waits for it. */
  async ready(): Promise<void> {
    await this.helper?.ready;
  }
}

/**
 * The `wasm` backend's registry entry: WebAssembly SIMD, which every current JavaScript engine has.
 *
 * @example
 * ```ts
 * registerBackend(wasmBackend);
 * ```
 */
export const wasmBackend: Backend = {
  name: "wasm",
  priority: 20,
  description: "the reference's step with WebAssembly SIMD matrix products (AssemblyScript, built at install)",
  probe: async () => {
    try {
      const { fused } = kernelBuild();
      const threads = Math.min(2, availableParallelism());
      return { available: true, device: `${threads} thread${threads > 1 ? "s" : ""}, ${fused ? "relaxed-SIMD fused multiply-add" : "plain SIMD"} kernels` };
    } catch (e) {
      return { available: false, reason: `the WebAssembly kernels did not load: ${(e as Error).message.split("\n")[0]}` };
    }
  },
  create: async (options) => {
    const trainer = new WasmTrainer(options);
    await trainer.ready();
    return trainer;
  },
};
