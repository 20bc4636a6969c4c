import { afterAll, afterEach, expect, it } from "vitest";
import { GpuTrainer } from "../dist/backends/gpujs/trainer.js";
import type { Trainer } from "../dist/backends/types.js";
import { WgslTrainer } from "../dist/backends/webgpu/trainer.js";
import { createMLP, type MLPSpec } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { type BackendCase, describeBackends, expectRanOn, teardown } from "./backends.js";

// What one epoch costs gpujs-webgpu (gpu.js's webgpu mode) in WebGPU calls, counted by wrapping
// Dawn's GPUDevice, GPUQueue, GPUBuffer and encoder methods (the same objects gpu.js calls). After a warm-up epoch
// (kernels compiled, the plan traced, its buffers made), each epoch must be: one queue submission;
// exactly the step's kernels as dispatches, nothing else — 3·L + ⌈L/5⌉ per step for L layers
// (src/backends/gpujs/kernels.ts): L dense (each applying the activation below as it reads; layer
// 0 reading its rows of the epoch's inputs), one output gradient (the loss's terms in its last
// row), L weight gradients (db as one more row), L − 1 input gradients, and one Adam kernel per
// five layers (p, m and v of every parameter in one state pack) — 3·L + 1 = 10 here, within the
// issue's 3·L + 2; the epoch's inputs, targets, Adam's per-step bias corrections (step sizes and
// √(1 − β₂ᵗ), in one array) and the state pack uploaded once each; one read-back; and no buffer,
// bind group, shader or pipeline created.
//
// What the read-back holds: the per-step loss terms (the output gradient's extra row; gpu.js reads
// back a result whole, so the step's dz comes with them) and the new state pack: weights, biases
// and Adam moments, transposed, padded to the widest layer. gpu.js's fused encoder takes a
// pipeline's arguments as host arrays (GPU-resident handles as arguments make it fall back to its
// generic executor, one submission per kernel), so the state crosses the bus once per epoch in
// each direction: for the study's network about 0.8 MB each way per epoch of 256 steps, against a
// step's ≈ 0.3 GFLOP — not per step, and never a stall mid-epoch.

type Counts = Record<string, number>;

const WRAPPED: Record<string, string[]> = {
  GPUDevice: ["createBuffer", "createBindGroup", "createComputePipeline", "createComputePipelineAsync", "createShaderModule", "createCommandEncoder"],
  GPUQueue: ["submit", "writeBuffer"],
  GPUBuffer: ["mapAsync"],
  GPUCommandEncoder: ["beginComputePass", "copyBufferToBuffer"],
  GPUComputePassEncoder: ["dispatchWorkgroups", "dispatchWorkgroupsIndirect"],
};

const restore: (() => void)[] = [];

/** Count calls of the WebGPU methods above (and the bytes mapped for reading) into `counts`. */
function countCalls(counts: Counts): void {
  const g = globalThis as unknown as Record<string, { prototype: Record<string, (...args: unknown[]) => unknown> } | undefined>;
  for (const [cls, methods] of Object.entries(WRAPPED)) {
    const proto = g[cls]?.prototype;
    if (proto === undefined) throw new Error(`${cls} is not a global: is Dawn loaded?`);
    for (const name of methods) {
      const original = proto[name];
      if (typeof original !== "function") continue;
      proto[name] = function (this: { size?: number }, ...args: unknown[]) {
        counts[`${cls}.${name}`] = (counts[`${cls}.${name}`] ?? 0) + 1;
        if (name === "mapAsync") {
          counts.mappedBytes = (counts.mappedBytes ?? 0) + (this.size ?? 0);
          // the bytes actually mapped: mapAsync(mode, offset, size), the rest of the buffer when size is left out
          counts.mappedRange = (counts.mappedRange ?? 0) + ((args[2] as number | undefined) ?? (this.size ?? 0) - ((args[1] as number | undefined) ?? 0));
        }
        return original.apply(this, args);
      };
      restore.push(() => {
        proto[name] = original;
      });
    }
  }
}

afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

/** What one epoch asked of WebGPU, as the tests compare it. */
function tally(counts: Counts): Record<string, number> {
  return {
    submissions: counts["GPUQueue.submit"] ?? 0,
    dispatches: counts["GPUComputePassEncoder.dispatchWorkgroups"] ?? 0,
    indirect: counts["GPUComputePassEncoder.dispatchWorkgroupsIndirect"] ?? 0,
    uploads: counts["GPUQueue.writeBuffer"] ?? 0,
    copies: counts["GPUCommandEncoder.copyBufferToBuffer"] ?? 0,
    readBacks: counts["GPUBuffer.mapAsync"] ?? 0,
    buffers: counts["GPUDevice.createBuffer"] ?? 0,
    bindGroups: counts["GPUDevice.createBindGroup"] ?? 0,
    shaders: counts["GPUDevice.createShaderModule"] ?? 0,
    pipelines: (counts["GPUDevice.createComputePipeline"] ?? 0) + (counts["GPUDevice.createComputePipelineAsync"] ?? 0),
    encoders: counts["GPUDevice.createCommandEncoder"] ?? 0,
  };
}

/**
 * Train `trainer` one warm-up epoch (kernels compiled, data uploaded) of `steps` batches of `B`
 * (the last short, as at the end of a real epoch), then two more with WebGPU's calls counted; the
 * counts of each counted epoch.
 */
async function countedEpochs(trainer: Trainer, backend: BackendCase, B: number, steps: number): Promise<Counts[]> {
  const N = B * steps - 7;
  const rng = new Rng(2, "data");
  const inputs = Float32Array.from({ length: N * 2 }, () => rng.next());
  const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
  const order = Uint32Array.from({ length: N }, (_, i) => (i * 7) % N);
  await trainer.epoch(inputs, targets, order, B, 1e-3); // warm-up
  expectRanOn(trainer, backend);
  const out: Counts[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const counts: Counts = {};
    countCalls(counts);
    const { lossSum } = await trainer.epoch(inputs, targets, order, B, 1e-3);
    for (const undo of restore.splice(0)) undo();
    expect(Number.isFinite(lossSum)).toBe(true);
    out.push(counts);
  }
  return out;
}

/** A network's initial weights, as trainers take them. */
const weightsOf = (spec: MLPSpec) =>
  createMLP(spec, new Rng(1, "init"), "torch").layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array }));

describeBackends(
  "per-epoch WebGPU work",
  (backend) => {
    it("after a warm-up epoch: one submission, 3·L + 1 kernels a step (L ≤ 5), one upload per array, one read-back, nothing created", async () => {
      const [B, steps, depth] = [64, 5, 2];
      const spec = { inputs: 2, outputs: 3, width: 8, depth, activation: "relu", outputActivation: "sigmoid" } as const;
      const L = depth + 1;
      const sizes = [2, 8, 8, 3];
      const trainer = await GpuTrainer.create(
        "webgpu",
        { spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights: weightsOf(spec), maxBatch: B },
        backend.name,
      );
      try {
        for (const counts of await countedEpochs(trainer, backend, B, steps)) {
          // the state pack: rows 3·Σ(nIn + 1), columns the widest layer; a step's output gradient: C·(B + 1)
          const stateFloats = 3 * sizes.slice(0, -1).reduce((sum, nIn) => sum + nIn + 1, 0) * Math.max(...sizes.slice(1));
          const lossFloats = 3 * (B + 1);
          const { copies: _copies, ...work } = tally(counts);
          expect(work).toEqual({
            submissions: 1,
            dispatches: steps * (3 * L + Math.ceil(L / 5)),
            indirect: 0,
            uploads: 4,
            readBacks: 1,
            buffers: 0,
            bindGroups: 0,
            shaders: 0,
            pipelines: 0,
            encoders: 1,
          });
          // the one read-back: the loss terms and the state pack (each copy 16-byte aligned at most), nothing more
          const floats = stateFloats + steps * lossFloats;
          expect(counts.mappedBytes).toBeGreaterThanOrEqual(4 * floats);
          expect(counts.mappedBytes).toBeLessThanOrEqual(4 * floats + 16 * (1 + steps));
        }
      } finally {
        await trainer.dispose();
      }
    });
  },
  ["gpujs-webgpu"],
);

// The hand-written WGSL trainer (`webgpu`): after a warm-up epoch (its data set uploaded the first
// time it is seen), each epoch is one submission of 4 dispatches a step whatever the depth —
// forward (the whole network for a block of samples), backward (the loss gradient and every
// layer's dz), grads (every layer's dW and db, 4×4 per thread, and the step's loss) and adam (every
// parameter) — two uploads (the epoch's order and the steps' records), one copy and one read-back of
// the steps' losses only (4 bytes a step: weights and Adam's moments stay on the GPU), and nothing
// created. Depth 4 here, so a per-layer dispatch would show.
describeBackends(
  "per-epoch WebGPU work",
  (backend) => {
    it("after a warm-up epoch: one submission, 4 dispatches a step, the losses read back, nothing created", async () => {
      const [B, steps, depth] = [64, 5, 4];
      const spec = { inputs: 2, outputs: 3, width: 8, depth, activation: "relu", outputActivation: "sigmoid" } as const;
      const trainer = await WgslTrainer.create({ spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights: weightsOf(spec), maxBatch: B });
      try {
        for (const counts of await countedEpochs(trainer, backend, B, steps))
          expect({ ...tally(counts), bytesRead: counts.mappedRange ?? 0 }).toEqual({
            submissions: 1,
            dispatches: 4 * steps,
            indirect: 0,
            uploads: 2,
            copies: 1,
            readBacks: 1,
            bytesRead: 4 * steps,
            buffers: 0,
            bindGroups: 0,
            shaders: 0,
            pipelines: 0,
            encoders: 1,
          });
      } finally {
        await trainer.dispose();
      }
    });
  },
  ["webgpu"],
);

afterAll(teardown);
