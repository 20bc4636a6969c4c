/// <reference types="@webgpu/types" />
/**
 * @module
 * The `webgpu` backend: the reference's training step as four hand-written WGSL kernels
 * (`kernels.ts`: forward, backward, grads, adam), an epoch's steps recorded into one command
 * buffer and submitted once, and one read-back per epoch — the per-step losses. Weights and Adam's
 * moments live on the GPU and come back only when asked for.
 *
 * Per epoch the host uploads the epoch's order (u32 per position) and the steps' records (start,
 * count, Adam's float64 bias corrections); the image's inputs and targets are uploaded the first
 * time the trainer sees them (by identity) and gathered on the GPU through the order. Inputs
 * encoded on demand, or too large for one storage binding, are gathered on the host instead, a
 * submission's worth at a time, and uploaded in training order.
 */

import { gatherInputs, type NetworkInputs } from "../../encoding/inputs.js";
import { type AdamOptions, adamCorrections } from "../../reference/adam.js";
import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import type { BatchGradients, EpochOptions, EpochProgress, LayerWeights, OptimizerSnapshot, Trainer, TrainerInfo, TrainerOptions } from "../types.js";
import { acquireDevice } from "./device.js";
import { ADAM_THREADS, GRAD_THREADS, type KernelName, kernelSources, type NetLayout, netLayout, STEP_RECORD } from "./kernels.js";

// WebGPU's flags, as numbers (the GPUBufferUsage/GPUMapMode globals are Dawn's in Node)
const MAP_READ = 1;
const COPY_SRC = 4;
const COPY_DST = 8;
const UNIFORM = 64;
const STORAGE = 128;
const COMPUTE = 4;
/** The most steps recorded into one submission (the `step` records: 256 KiB). */
export const MAX_STEPS = 1024;
/** The most bytes of inputs gathered on the host for one submission, when they are not resident. */
const STREAM_BYTES = 64 * 2 ** 20;
/** Workgroups per dimension (WebGPU's default limit). */
const MAX_GROUPS = 65535;

/** Test hooks: change a kernel's source before it is compiled (to plant a fault). */
export interface WgslHooks {
  /** returns the source to compile for `kernel` */
  readonly mutate?: (kernel: KernelName, source: string) => string;
}

/** Where a batch's rows come from: inputs [samples][F], targets [samples][C], order [positions]. */
interface DataSet {
  readonly x: GPUBuffer;
  readonly y: GPUBuffer;
  readonly order: GPUBuffer;
  readonly forward: GPUBindGroup;
  readonly backward: GPUBindGroup;
  readonly grads: GPUBindGroup;
}

/** The image's data, resident on the GPU, the arrays it came from and what they held then. */
interface Resident {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  /** {@link fingerprint} of inputs and targets when they were uploaded */
  readonly print: number;
  readonly data: DataSet;
}

/**
 * A 32-bit hash of an array's bits (FNV-1a over its 32-bit words): the resident data is uploaded
 * again when the caller changed its arrays in place. About a millisecond for a 512×512 image's
 * inputs and targets, against an epoch's hundreds.
 */
function fingerprint(arrays: readonly Float32Array[]): number {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  }
  return h >>> 0;
}

/**
 * A {@link Trainer} running hand-written WGSL kernels on a WebGPU device of its own.
 *
 * @example
 * ```ts
 * const trainer = await WgslTrainer.create({ spec, adam, weights, maxBatch: 1024 });
 * const { lossSum } = await trainer.epoch(inputs, targets, order, 1024, 1e-3);
 * ```
 */
export class WgslTrainer implements Trainer {
  readonly info: TrainerInfo;
  readonly spec: MLPSpec;
  /** where everything lives and how the work is cut */
  readonly layout: NetLayout;
  private readonly adam: AdamOptions;
  private adamSteps = 0;
  private readonly pipelines: Record<KernelName, GPUComputePipeline>;
  private readonly layouts: Record<KernelName, GPUBindGroupLayout>;
  private readonly buffers: GPUBuffer[] = [];
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly z: GPUBuffer;
  private readonly dz: GPUBuffer;
  private readonly acts: GPUBuffer;
  private readonly out: GPUBuffer;
  private readonly sq: GPUBuffer;
  private readonly losses: GPUBuffer;
  private readonly steps: GPUBuffer;
  private readonly adamGroup: GPUBindGroup;
  /** a batch given by the caller (step, gradients, predict): rows in order, identity order */
  private readonly scratch: DataSet;
  private resident: Resident | null = null;
  private stream: DataSet | null = null;
  private staging: GPUBuffer | null = null;
  private readonly records = new ArrayBuffer(MAX_STEPS * STEP_RECORD);
  private readonly maxBinding: number;

  private constructor(
    private readonly device: GPUDevice,
    adapter: string,
    options: TrainerOptions,
    hooks: WgslHooks,
  ) {
    this.spec = options.spec;
    this.adam = options.adam;
    const sizes = layerSizes(options.spec);
    const B = options.maxBatch;
    const layout = netLayout(sizes, B);
    this.layout = layout;
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    for (const [what, floats] of [
      ["the parameters", layout.P],
      ["the pre-activations", layout.zFloats],
      ["a batch's inputs", B * sizes[0]],
    ] as const)
      if (floats * 4 > this.maxBinding)
        throw new RangeError(
          `webgpu: ${what} take ${floats * 4} bytes, more than one storage binding holds here (${this.maxBinding}); use a smaller batch or network`,
        );
    this.info = {
      backend: "webgpu",
      details: {
        adapter,
        mode: "wgsl",
        executor: "fused-wgsl",
        block: `${layout.S} samples per workgroup${layout.shared ? "" : " (layers wider than 2048: activations read back from storage)"}`,
      },
    };
    const { F, C } = { F: sizes[0], C: sizes[layout.L] };
    const buffer = (bytes: number, usage?: number) => this.buffer(bytes, usage);
    this.params = buffer(layout.P * 4);
    this.grads = buffer(layout.P * 4);
    this.m = buffer(layout.P * 4);
    this.v = buffer(layout.P * 4);
    this.z = buffer(layout.zFloats * 4);
    this.dz = buffer(layout.zFloats * 4);
    this.acts = buffer(layout.zFloats * 4);
    this.out = buffer(B * C * 4);
    this.sq = buffer(B * 4);
    this.losses = buffer(MAX_STEPS * 4);
    this.steps = buffer(MAX_STEPS * STEP_RECORD, UNIFORM | COPY_DST);

    // the kernels, compiled once; a compilation error is an exception, not a silent no-op
    const sources = kernelSources(layout, options.spec.activation, options.spec.outputActivation, options.adam);
    const kinds: Record<KernelName, ("read" | "write")[]> = {
      forward: ["read", "read", "read", "write", "write", "write"],
      backward: ["read", "read", "read", "read", "write", "write"],
      grads: ["read", "read", "read", "read", "write", "read", "write"],
      adam: ["write", "read", "write", "write"],
    };
    const layouts = {} as Record<KernelName, GPUBindGroupLayout>;
    const pipelines = {} as Record<KernelName, GPUComputePipeline>;
    for (const name of Object.keys(sources) as KernelName[]) {
      const code = hooks.mutate ? hooks.mutate(name, sources[name]) : sources[name];
      layouts[name] = device.createBindGroupLayout({
        entries: [
          { binding: 0, visibility: COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: 32 } },
          ...kinds[name].map((k, i) => ({
            binding: i + 1,
            visibility: COMPUTE,
            buffer: { type: k === "read" ? ("read-only-storage" as const) : ("storage" as const) },
          })),
        ],
      });
      pipelines[name] = device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layouts[name]] }),
        compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
      });
    }
    this.layouts = layouts;
    this.pipelines = pipelines;
    this.adamGroup = this.group("adam", [this.params, this.grads, this.m, this.v]);
    const identity = buffer(B * 4);
    device.queue.writeBuffer(
      identity,
      0,
      Uint32Array.from({ length: B }, (_, i) => i),
    );
    this.scratch = this.dataSet(buffer(B * F * 4), buffer(B * C * 4), identity);
    this.setWeights(options.weights);
  }

  /**
   * Acquire a device and build a trainer on it (shader compilation errors are thrown here).
   *
   * @example
   * ```ts
   * const trainer = await WgslTrainer.create(options);
   * ```
   */
  static async create(options: TrainerOptions, hooks: WgslHooks = {}): Promise<WgslTrainer> {
    const { device, adapter } = await acquireDevice();
    device.pushErrorScope("validation");
    let trainer: WgslTrainer;
    try {
      trainer = new WgslTrainer(device, adapter, options, hooks);
    } catch (e) {
      await device.popErrorScope();
      device.destroy();
      throw e;
    }
    const error = await device.popErrorScope();
    if (error !== null) {
      await trainer.dispose();
      throw new Error(`webgpu: the WGSL kernels did not compile: ${error.message}`);
    }
    return trainer;
  }

  /** A bind group of `kernel`: the step record, then `storage` in binding order. */
  private group(kernel: KernelName, storage: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: this.layouts[kernel],
      entries: [{ binding: 0, resource: { buffer: this.steps, size: 32 } }, ...storage.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
    });
  }

  /** The forward, backward and grads bind groups over one source of rows. */
  private dataSet(x: GPUBuffer, y: GPUBuffer, order: GPUBuffer): DataSet {
    return {
      x,
      y,
      order,
      forward: this.group("forward", [this.params, x, order, this.z, this.out, this.acts]),
      backward: this.group("backward", [this.params, y, order, this.z, this.dz, this.sq]),
      grads: this.group("grads", [x, order, this.acts, this.dz, this.grads, this.sq, this.losses]),
    };
  }

  private buffer(bytes: number, usage = STORAGE | COPY_SRC | COPY_DST): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
    this.buffers.push(b);
    return b;
  }

  /** Write step `s`'s record: rows `start…start+count−1` of the order, loss slot `s`, Adam's corrections for step t (0: none). */
  private record(s: number, start: number, count: number, t: number, lr: number): void {
    const u = new Uint32Array(this.records, s * STEP_RECORD, 4);
    const f = new Float32Array(this.records, s * STEP_RECORD + 16, 2);
    u.set([start, count, s, 0]);
    if (t > 0) {
      const { stepSize, bc2Sqrt } = adamCorrections(t, this.adam, lr);
      f.set([stepSize, bc2Sqrt]);
    } else f.set([0, 1]);
  }

  private uploadRecords(steps: number): void {
    this.device.queue.writeBuffer(this.steps, 0, this.records, 0, steps * STEP_RECORD);
  }

  /** Record `dispatch` of `groups` workgroups (wrapped into a second dimension past 65535). */
  private dispatch(pass: GPUComputePassEncoder, kernel: KernelName, group: GPUBindGroup, s: number, groups: number): void {
    pass.setPipeline(this.pipelines[kernel]);
    pass.setBindGroup(0, group, [s * STEP_RECORD]);
    const x = Math.min(groups, MAX_GROUPS);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  }

  /**
   * Record one step's kernels: forward, backward (loss gradient fused), grads (and the loss), and
   * Adam when `train` — 4 dispatches whatever the depth.
   */
  private recordStep(pass: GPUComputePassEncoder, data: DataSet, s: number, count: number, train: boolean): void {
    const blocks = Math.ceil(count / this.layout.S);
    this.dispatch(pass, "forward", data.forward, s, blocks);
    this.dispatch(pass, "backward", data.backward, s, blocks);
    this.dispatch(pass, "grads", data.grads, s, Math.ceil(this.layout.tileStart[this.layout.L] / GRAD_THREADS) + 1);
    if (train) this.dispatch(pass, "adam", this.adamGroup, s, Math.ceil(this.layout.P / ADAM_THREADS));
  }

  /** A staging buffer of at least `bytes` for reading back (kept and reused). */
  private stagingFor(bytes: number): GPUBuffer {
    if (this.staging === null || this.staging.size < bytes) {
      this.staging?.destroy();
      this.staging = this.device.createBuffer({ size: Math.max(256, Math.ceil(bytes / 256) * 256), usage: MAP_READ | COPY_DST });
    }
    return this.staging;
  }

  /**
   * Finish `encoder` with copies of `parts` (buffer, float offset, float count) into the staging
   * buffer, submit it, and read them back with one `mapAsync`: the one wait of a call.
   */
  private async submitAndRead(encoder: GPUCommandEncoder, parts: [GPUBuffer, number, number][]): Promise<Float32Array[]> {
    const total = parts.reduce((n, [, , count]) => n + count, 0);
    const staging = this.stagingFor(total * 4);
    let at = 0;
    for (const [buffer, offset, count] of parts) {
      if (count > 0) encoder.copyBufferToBuffer(buffer, offset * 4, staging, at * 4, count * 4);
      at += count;
    }
    this.device.pushErrorScope("validation");
    this.device.queue.submit([encoder.finish()]);
    const error = this.device.popErrorScope();
    const bytes = Math.max(4, total * 4);
    await staging.mapAsync(1 /* GPUMapMode.READ */, 0, bytes);
    const all = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    const e = await error;
    if (e !== null) throw new Error(`webgpu: ${e.message}`);
    const out: Float32Array[] = [];
    at = 0;
    for (const [, , count] of parts) {
      out.push(all.subarray(at, at + count));
      at += count;
    }
    return out;
  }

  /** Upload a batch given by the caller into the scratch rows. */
  private uploadBatch(inputs: Float32Array, targets: Float32Array | null, count: number): void {
    const { inputs: F, outputs: C } = this.spec;
    if (!Number.isInteger(count) || count < 1 || count > this.layout.B)
      throw new RangeError(`batch ${count} must be an integer from 1 to maxBatch ${this.layout.B}`);
    this.device.queue.writeBuffer(this.scratch.x, 0, inputs, 0, count * F);
    if (targets !== null) this.device.queue.writeBuffer(this.scratch.y, 0, targets, 0, count * C);
  }

  async step(inputs: Float32Array, targets: Float32Array, count: number, lr: number): Promise<number> {
    this.uploadBatch(inputs, targets, count);
    this.record(0, 0, count, this.adamSteps + 1, lr);
    this.uploadRecords(1);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.recordStep(pass, this.scratch, 0, count, true);
    pass.end();
    this.adamSteps += 1;
    const [loss] = await this.submitAndRead(encoder, [[this.losses, 0, 1]]);
    return loss[0];
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<BatchGradients> {
    this.uploadBatch(inputs, targets, count);
    this.record(0, 0, count, 0, 0);
    this.uploadRecords(1);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.recordStep(pass, this.scratch, 0, count, false);
    pass.end();
    const C = this.spec.outputs;
    const [outputs, loss, grads] = await this.submitAndRead(encoder, [
      [this.out, 0, count * C],
      [this.losses, 0, 1],
      [this.grads, 0, this.layout.P],
    ]);
    return { outputs: outputs.slice(), loss: loss[0], grads: this.unpack(grads) };
  }

  async predict(inputs: NetworkInputs, count: number): Promise<Float32Array> {
    const { inputs: F, outputs: C } = this.spec;
    const B = this.layout.B;
    const result = new Float32Array(count * C);
    const x = new Float32Array(Math.min(B, count) * F);
    for (let start = 0; start < count; start += B) {
      const n = Math.min(B, count - start);
      gatherInputs(inputs, F, x, n, start);
      this.uploadBatch(x, null, n);
      this.record(0, 0, n, 0, 0);
      this.uploadRecords(1);
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      this.dispatch(pass, "forward", this.scratch.forward, 0, Math.ceil(n / this.layout.S));
      pass.end();
      const [y] = await this.submitAndRead(encoder, [[this.out, 0, n * C]]);
      result.set(y, start * C);
    }
    return result;
  }

  /** The image's data on the GPU, uploaded the first time these arrays are seen (and again if they changed since); null where it must be streamed. */
  private residentData(inputs: NetworkInputs, targets: Float32Array): DataSet | null {
    if (!(inputs instanceof Float32Array)) return null;
    const print = fingerprint([inputs, targets]);
    if (this.resident !== null && this.resident.inputs === inputs && this.resident.targets === targets && this.resident.print === print)
      return this.resident.data;
    const N = targets.length / this.spec.outputs;
    if (inputs.byteLength > this.maxBinding || targets.byteLength > this.maxBinding || N * 4 > this.maxBinding) return null;
    if (this.resident !== null) for (const b of [this.resident.data.x, this.resident.data.y, this.resident.data.order]) this.release(b);
    const [x, y, order] = [this.buffer(inputs.byteLength), this.buffer(targets.byteLength), this.buffer(N * 4)];
    this.device.queue.writeBuffer(x, 0, inputs);
    this.device.queue.writeBuffer(y, 0, targets);
    this.resident = { inputs, targets, print, data: this.dataSet(x, y, order) };
    return this.resident.data;
  }

  private release(b: GPUBuffer): void {
    b.destroy();
    this.buffers.splice(this.buffers.indexOf(b), 1);
  }

  /** Rows a streamed submission holds: about STREAM_BYTES of inputs, at least one batch. */
  private streamRows(): number {
    return Math.max(this.layout.B, Math.min(MAX_STEPS * this.layout.B, Math.floor(STREAM_BYTES / (this.spec.inputs * 4))));
  }

  /**
   * The epoch's steps from `options.from` on, recorded MAX_STEPS at a time into one command buffer
   * each (an epoch of up to 1024 steps is one submission) and read back as the steps' losses only.
   * `afterBatch` is asked after each submission, so a stop lands on a submission's end; the epoch
   * goes on from there with `from` and `lossSum`, summing the losses in the same order.
   */
  async epoch(
    inputs: NetworkInputs,
    targets: Float32Array,
    order: Uint32Array,
    batchSize: number,
    lr: number,
    options: EpochOptions = {},
  ): Promise<EpochProgress> {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > this.layout.B)
      throw new RangeError(`batch size ${batchSize} must be an integer from 1 to maxBatch ${this.layout.B}`);
    const { inputs: F, outputs: C } = this.spec;
    let lossSum = options.lossSum ?? 0;
    let pos = options.from ?? 0;
    const resident = this.residentData(inputs, targets);
    if (resident !== null) this.device.queue.writeBuffer(resident.order, 0, order);
    const perSubmit = resident !== null ? MAX_STEPS : Math.min(MAX_STEPS, Math.floor(this.streamRows() / batchSize));
    while (pos < order.length) {
      const steps = Math.min(perSubmit, Math.ceil((order.length - pos) / batchSize));
      const counts = Array.from({ length: steps }, (_, s) => Math.min(batchSize, order.length - pos - s * batchSize));
      const rows = counts.reduce((a, b) => a + b, 0);
      let data = resident;
      if (data === null) {
        // not resident: gather this submission's rows on the host, in training order
        data = this.streamData(this.streamRows());
        const xs = new Float32Array(rows * F);
        const ys = new Float32Array(rows * C);
        gatherInputs(inputs, F, xs, rows, pos, order);
        for (let k = 0; k < rows; k++) ys.set(targets.subarray(order[pos + k] * C, (order[pos + k] + 1) * C), k * C);
        this.device.queue.writeBuffer(data.x, 0, xs);
        this.device.queue.writeBuffer(data.y, 0, ys);
      }
      const base = resident !== null ? pos : 0;
      for (let s = 0; s < steps; s++) this.record(s, base + s * batchSize, counts[s], this.adamSteps + s + 1, lr);
      this.uploadRecords(steps);
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let s = 0; s < steps; s++) this.recordStep(pass, data, s, counts[s], true);
      pass.end();
      this.adamSteps += steps;
      const [losses] = await this.submitAndRead(encoder, [[this.losses, 0, steps]]);
      for (let s = 0; s < steps; s++) lossSum += losses[s] * counts[s];
      pos += rows;
      if (options.afterBatch?.(pos) && pos < order.length) return { lossSum, next: pos };
    }
    return { lossSum, next: order.length };
  }

  /** Rows for streamed submissions (inputs, targets, identity order), made on first use. */
  private streamData(rows: number): DataSet {
    if (this.stream === null) {
      const order = this.buffer(rows * 4);
      this.device.queue.writeBuffer(
        order,
        0,
        Uint32Array.from({ length: rows }, (_, i) => i),
      );
      this.stream = this.dataSet(this.buffer(rows * this.spec.inputs * 4), this.buffer(rows * this.spec.outputs * 4), order);
    }
    return this.stream;
  }

  /** Packed [W₀, b₀, W₁, b₁, …] → per-layer arrays. */
  private unpack(packed: Float32Array): LayerWeights[] {
    const { sizes, wOff, bOff } = this.layout;
    return wOff.map((w, l) => ({ weight: packed.slice(w, w + sizes[l] * sizes[l + 1]), bias: packed.slice(bOff[l], bOff[l] + sizes[l + 1]) }));
  }

  /** Per-layer arrays → packed, checking every length. */
  private pack(arrays: ArrayLike<number>[], what: string): Float32Array {
    const { sizes, wOff, bOff, L, P } = this.layout;
    if (arrays.length !== 2 * L) throw new RangeError(`${what}: expected ${2 * L} arrays (W and b of ${L} layers), got ${arrays.length}`);
    const packed = new Float32Array(P);
    for (let l = 0; l < L; l++) {
      const [w, b] = [arrays[2 * l], arrays[2 * l + 1]];
      if (w.length !== sizes[l] * sizes[l + 1] || b.length !== sizes[l + 1])
        throw new RangeError(`${what}: layer ${l}: expected weight [${sizes[l + 1]}][${sizes[l]}] and bias [${sizes[l + 1]}]`);
      packed.set(w, wOff[l]);
      packed.set(b, bOff[l]);
    }
    return packed;
  }

  /** Read packed buffers back (one submission, one map). */
  private async readPacked(buffers: GPUBuffer[]): Promise<Float32Array[]> {
    return this.submitAndRead(
      this.device.createCommandEncoder(),
      buffers.map((b) => [b, 0, this.layout.P]),
    );
  }

  /** The weights, read back from the GPU (one submission, one map). */
  async getWeights(): Promise<LayerWeights[]> {
    const [params] = await this.readPacked([this.params]);
    return this.unpack(params);
  }

  setWeights(weights: LayerWeights[]): void {
    if (weights.length !== this.layout.L) throw new RangeError(`expected weights for ${this.layout.L} layers, got ${weights.length}`);
    this.device.queue.writeBuffer(
      this.params,
      0,
      this.pack(
        weights.flatMap((w) => [w.weight, w.bias]),
        "setWeights",
      ),
    );
  }

  /** Adam's moments, read back from the GPU (one submission, one map); the step count is the host's. */
  async getOptimizerState(): Promise<OptimizerSnapshot> {
    const [m, v] = await this.readPacked([this.m, this.v]);
    const flat = (packed: Float32Array) => this.unpack(packed).flatMap((w) => [w.weight, w.bias]);
    return { step: this.adamSteps, m: flat(m), v: flat(v) };
  }

  setOptimizerState(state: OptimizerSnapshot): void {
    this.device.queue.writeBuffer(this.m, 0, this.pack(state.m, "setOptimizerState m"));
    this.device.queue.writeBuffer(this.v, 0, this.pack(state.v, "setOptimizerState v"));
    this.adamSteps = state.step;
  }

  async dispose(): Promise<void> {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.staging?.destroy();
    this.staging = null;
    this.device.destroy();
  }
}
