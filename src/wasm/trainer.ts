/**
 * @module
 * The `wasm` backend: the reference's training step with its three matrix products moved into a
 * WebAssembly SIMD kernel (`assembly/gemm.ts`, compiled by AssemblyScript at build time: 4×8
 * register-blocked f32x4 tiles). Everything else — activations and their derivatives, the MSE,
 * Adam — is the reference's own code, run over views of the same WebAssembly memory, so no formula
 * is written twice. No allocation per step: every buffer is laid out once.
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { Backend, EpochOptions, EpochProgress, LayerWeights, OptimizerSnapshot, Trainer, TrainerInfo, TrainerOptions } from "../backend.js";
import { activationBackward, activationForward } from "../reference/activations/index.js";
import { type AdamState, adamStep, createAdamState } from "../reference/adam.js";
import { layerSizes, type MLPSpec } from "../reference/mlp.js";
import { mseBackward, mseForward } from "../reference/mse.js";
import { stepThroughEpoch } from "../training/batches.js";

/** The kernel module's exports (pointers and sizes; see assembly/gemm.ts). */
interface Kernels {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, accumulate: boolean): void;
  reluForward(z: number, a: number, n: number): void;
  reluBackward(z: number, da: number, dz: number, n: number): void;
  transpose(M: number, T: number, R: number, N: number): void;
  fillRows(b: number, C: number, R: number, N: number): void;
  columnSums(M: number, s: number, R: number, N: number): void;
}

/** The compiled kernels and which build they are. */
interface KernelBuild {
  readonly module: WebAssembly.Module;
  /** true: the relaxed-SIMD build (fused multiply-adds); false: plain SIMD (multiply, then add) */
  readonly fused: boolean;
}

let compiled: KernelBuild | null = null;

/**
 * The compiled kernel module (built by `npm run build:wasm` into dist/wasm/). Two builds of the same
 * source: `gemm-fma.wasm` uses relaxed SIMD's fused multiply-add, about 1.5× faster on x86-64 with
 * FMA (one instruction where the plain build needs a multiply and an add); `gemm.wasm` is plain
 * SIMD. Node 22's V8 has relaxed SIMD on; Node 20's (V8 11.3) has it behind
 * `--experimental-wasm-relaxed-simd`, which is switched on here if needed (it only adds
 * instructions to the validator). `COORDNET_WASM_FMA=0` picks the plain build.
 */
function kernelBuild(): KernelBuild {
  if (compiled !== null) return compiled;
  const bytes = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url));
  if (process.env.COORDNET_WASM_FMA !== "0") {
    const fma = bytes("gemm-fma.wasm");
    if (!WebAssembly.validate(fma)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (WebAssembly.validate(fma)) compiled = { module: new WebAssembly.Module(fma), fused: true };
  }
  compiled ??= { module: new WebAssembly.Module(bytes("gemm.wasm")), fused: false };
  return compiled;
}

/**
 * Matrix products below this many multiply-adds run on the calling thread alone: handing half to
 * the helper costs a few microseconds of signalling.
 */
const PARALLEL_MIN_MACS = 1 << 16;

/**
 * The trainer's helper thread: it owns half of the rows of each large matrix product. Results do
 * not depend on the split (each output element is summed by one thread, in the same order).
 */
class Helper {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(12 * 4));
  private generation = 0;
  readonly ready: Promise<void>;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { module, memory, control: this.control } });
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

  /** Start C rows [r0, r0 + R) on the helper. */
  start(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, accumulate: boolean): void {
    this.control.set([A, B, C, R, K, N, sAr, sAk, accumulate ? 1 : 0, 0], 2);
    this.generation += 1;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
  }

  /** Wait until the helper has finished its part. */
  finish(): void {
    for (;;) {
      // wait on the value just checked: re-reading it for the wait could miss the helper's notify
      const done = Atomics.load(this.control, 1);
      if (done === this.generation) return;
      Atomics.wait(this.control, 1, done);
    }
  }

  async stop(): Promise<void> {
    this.control[11] = 1;
    this.generation += 1;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
    await this.worker.terminate();
  }
}

/** A float32 region of the WebAssembly memory: its byte offset and a view onto it. */
interface Region {
  readonly ptr: number;
  readonly view: Float32Array;
}

/** One layer's regions. */
interface LayerRegions {
  readonly nIn: number;
  readonly nOut: number;
  /** W [nOut][nIn] (PyTorch layout), its transpose Wt [nIn][nOut], b [nOut] */
  readonly W: Region;
  readonly Wt: Region;
  readonly b: Region;
  /** gradients, same layouts */
  readonly dW: Region;
  readonly db: Region;
  /** z = a·Wᵀ + b [B][nOut]; a_next = act(z) [B][nOut]; da_next, reused as dz [B][nOut] */
  readonly z: Region;
  readonly aNext: Region;
  readonly daNext: Region;
}

/**
 * A {@link Trainer} running the reference's step with WebAssembly SIMD matrix products.
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
  /** input batch [B][inputs], targets [B][outputs] */
  private readonly x: Region;
  private readonly y: Region;
  /** dz transposed, [nOut][count] */
  private readonly dzT: Region;
  private readonly adam: TrainerOptions["adam"];
  private adamState: AdamState;
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
    // lay out every buffer once: count floats, then carve regions in order (16-byte aligned)
    const plan: number[] = [];
    const take = (floats: number) => {
      plan.push(Math.ceil(floats / 4) * 4);
      return plan.length - 1;
    };
    const layerPlan = sizes.slice(1).map((nOut, l) => {
      const nIn = sizes[l];
      return {
        nIn,
        nOut,
        W: take(nOut * nIn),
        Wt: take(nIn * nOut),
        b: take(nOut),
        dW: take(nOut * nIn),
        db: take(nOut),
        z: take(B * nOut),
        aNext: take(B * nOut),
        daNext: take(B * nOut),
      };
    });
    // dz of the widest layer, transposed [nOut][B], for dW = dzᵀ·a with contiguous loads
    const dzTi = take(B * Math.max(...sizes.slice(1)));
    const xi = take(B * sizes[0]);
    const yi = take(B * options.spec.outputs);
    const bytes = plan.reduce((s, n) => s + 4 * n, 0);
    const pages = Math.ceil(bytes / 65536) + 1;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const instance = new WebAssembly.Instance(build.module, { env: { memory, abort: () => {} } });
    const kernels = instance.exports as unknown as Kernels;
    this.helper = threads > 1 ? new Helper(build.module, memory) : null;
    const helper = this.helper;
    // gemm on both threads: the helper takes the second half of C's rows
    const gemm: Kernels["gemm"] = (A, Bp, C, R, K, N, sAr, sAk, accumulate) => {
      if (helper === null || R < 8 || R * K * N < PARALLEL_MIN_MACS) return kernels.gemm(A, Bp, C, R, K, N, sAr, sAk, accumulate);
      const half = R >> 1;
      helper.start(A + 4 * half * sAr, Bp, C + 4 * half * N, R - half, K, N, sAr, sAk, accumulate);
      kernels.gemm(A, Bp, C, half, K, N, sAr, sAk, accumulate);
      helper.finish();
    };
    this.k = { ...kernels, gemm };
    const regions: Region[] = [];
    let ptr = 0;
    for (const n of plan) {
      regions.push({ ptr, view: new Float32Array(memory.buffer, ptr, n) });
      ptr += 4 * n;
    }
    this.layers = layerPlan.map((p) => ({
      nIn: p.nIn,
      nOut: p.nOut,
      W: regions[p.W],
      Wt: regions[p.Wt],
      b: regions[p.b],
      dW: regions[p.dW],
      db: regions[p.db],
      z: regions[p.z],
      aNext: regions[p.aNext],
      daNext: regions[p.daNext],
    }));
    this.dzT = regions[dzTi];
    this.x = regions[xi];
    this.y = regions[yi];
    this.setWeights(options.weights);
    this.adamState = createAdamState(this.parameters());
  }

  /** [W₀, b₀, W₁, b₁, …] as views (the optimiser's order) */
  private parameters(): Float32Array[] {
    return this.layers.flatMap((l) => [l.W.view.subarray(0, l.nOut * l.nIn), l.b.view.subarray(0, l.nOut)]);
  }

  private gradients(): Float32Array[] {
    return this.layers.flatMap((l) => [l.dW.view.subarray(0, l.nOut * l.nIn), l.db.view.subarray(0, l.nOut)]);
  }

  /** Forward pass over the `count` rows in `x`; returns the output view [count][outputs]. */
  private forward(count: number): Float32Array {
    const { k } = this;
    if (!this.transposed) {
      for (const l of this.layers) k.transpose(l.W.ptr, l.Wt.ptr, l.nOut, l.nIn);
      this.transposed = true;
    }
    let a = this.x;
    this.layers.forEach((l, i) => {
      // z = b + a·Wᵀ
      k.fillRows(l.b.ptr, l.z.ptr, count, l.nOut);
      k.gemm(a.ptr, l.Wt.ptr, l.z.ptr, count, l.nIn, l.nOut, l.nIn, 1, true);
      // a_next = act(z): ReLU in SIMD, every other activation through the reference's function
      const act = i === this.layers.length - 1 ? this.spec.outputActivation : this.spec.activation;
      if (act === "relu") k.reluForward(l.z.ptr, l.aNext.ptr, count * l.nOut);
      else activationForward(act, l.z.view, l.aNext.view, count * l.nOut);
      a = l.aNext;
    });
    return a.view.subarray(0, count * this.spec.outputs);
  }

  /** One step on the `count` rows in `x`/`y`; returns the loss before the step. */
  private stepNow(count: number, lr: number): number {
    const { k } = this;
    const n = count * this.spec.outputs;
    const pred = this.forward(count);
    const loss = mseForward(pred, this.y.view, n);
    const L = this.layers.length;
    mseBackward(pred, this.y.view, this.layers[L - 1].daNext.view, n);
    for (let i = L - 1; i >= 0; i--) {
      const l = this.layers[i];
      const act = i === L - 1 ? this.spec.outputActivation : this.spec.activation;
      // dz = da ⊙ act'(z), in place
      if (act === "relu") k.reluBackward(l.z.ptr, l.daNext.ptr, l.daNext.ptr, count * l.nOut);
      else activationBackward(act, l.z.view, l.daNext.view, l.daNext.view, count * l.nOut);
      // dW = dzᵀ·a (dz transposed first: the product then reads both operands along rows), db = Σ_n dz
      const a = i === 0 ? this.x : this.layers[i - 1].aNext;
      k.transpose(l.daNext.ptr, this.dzT.ptr, count, l.nOut);
      k.gemm(this.dzT.ptr, a.ptr, l.dW.ptr, l.nOut, count, l.nIn, count, 1, false);
      k.columnSums(l.daNext.ptr, l.db.ptr, count, l.nOut);
      // da (of the layer below) = dz·W
      if (i > 0) k.gemm(l.daNext.ptr, l.W.ptr, this.layers[i - 1].daNext.ptr, count, l.nOut, l.nIn, l.nOut, 1, false);
    }
    adamStep(this.parameters(), this.gradients(), this.adamState, this.adam, lr);
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
    inputs: Float32Array,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    const buffers = { x: this.x.view, y: this.y.view, inputs: this.spec.inputs, outputs: this.spec.outputs };
    return stepThroughEpoch(inputs, targets, order, batchSize, buffers, options, (count) => this.stepNow(count, lr));
  }

  async predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    const { inputs: F, outputs: C } = this.spec;
    const out = new Float32Array(count * C);
    for (let start = 0; start < count; start += this.B) {
      const n = Math.min(this.B, count - start);
      this.x.view.set(inputs.subarray(start * F, (start + n) * F));
      out.set(this.forward(n), start * C);
    }
    return out;
  }

  getWeights(): LayerWeights[] {
    return this.layers.map((l) => ({ weight: l.W.view.slice(0, l.nOut * l.nIn), bias: l.b.view.slice(0, l.nOut) }));
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

  getOptimizerState(): OptimizerSnapshot {
    return { step: this.adamState.step, m: this.adamState.m.map((a) => Float32Array.from(a)), v: this.adamState.v.map((a) => Float32Array.from(a)) };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    const fresh = createAdamState(this.parameters());
    fresh.step = state.step;
    for (let i = 0; i < fresh.m.length; i++) {
      fresh.m[i].set(state.m[i]);
      fresh.v[i].set(state.v[i]);
    }
    this.adamState = fresh;
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
  description: "the reference's step with WebAssembly SIMD matrix products (AssemblyScript, built at install)",
  probe: async () => {
    try {
      kernelBuild();
      return { available: true };
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
