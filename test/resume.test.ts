import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gpujsWasmBackend } from "../dist/backends/gpujs/index.js";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend } from "../dist/backends/registry.js";
import { wasmBackend } from "../dist/backends/wasm/index.js";
import { parseConfig } from "../dist/config.js";
import { decodePNG } from "../dist/image/png.js";
import { decodeCheckpoint, loadCheckpoint, loadModel } from "../dist/io/model-file.js";
import { runTraining } from "../dist/training/runner.js";
import { patternPNG } from "./png-helpers.js";

// The built modules (dist/), as the CLI runs them: gpu.js reads kernel sources as compiled.
registerBackend(referenceBackend);
registerBackend(wasmBackend);
registerBackend(gpujsWasmBackend);
const image = decodePNG(patternPNG(12, 10));
// 120 samples, batch 16: 8 batches per epoch, the last one short (8 samples)
const config = parseConfig({ network: { width: 8, depth: 2 }, training: { epochs: 4, batchSize: 16, seed: 9 }, schedule: { every: 2, factor: 0.5 } });
const setup = { config, image, imageSource: "pattern", snapshots: [2, 4], version: "test" };
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// The reference and wasm (the default without a GPU) stop after any batch; gpujs-wasm runs a whole
// epoch per call and stops between epochs.
describe.each(["reference", "wasm", "gpujs-wasm"])("interrupt and resume [%s]", (backend) => {
  const base = { ...setup, backend };
  const straight = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "straight");
  let reference: Awaited<ReturnType<typeof runTraining>>;

  it("an uninterrupted run completes", async () => {
    reference = await runTraining({ ...base, outDir: straight });
    expect(reference.status).toBe("complete");
    expect(reference.history).toHaveLength(4);
  });

  // a stop is asked for on the n-th look at shouldStop (the runner looks after each batch, or each epoch)
  for (const stopAfter of backend === "gpujs-wasm" ? [1, 2, 3, 4, 5] : [1, 5, 8, 13, 30]) {
    it(`stopping at look ${stopAfter} and resuming gives bit-identical weights and losses`, async () => {
      const dir = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "run");
      let calls = 0;
      const first = await runTraining({ ...base, outDir: dir, shouldStop: () => ++calls >= stopAfter });
      expect(first.status).toBe("interrupted");
      const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
      expect(record.status).toBe("interrupted");
      const checkpoint = loadCheckpoint(join(dir, "checkpoint.safetensors"));
      const second = await runTraining({ ...base, outDir: dir, resume: checkpoint });
      expect(second.status).toBe("complete");
      expect(second.history.map((h) => h.loss)).toEqual(reference.history.map((h) => h.loss));
      const a = loadModel(join(dir, "model.safetensors")).weights;
      const b = loadModel(join(straight, "model.safetensors")).weights;
      a.forEach((w, l) => {
        expect(bytes(w.weight).equals(bytes(b[l].weight))).toBe(true);
        expect(bytes(w.bias).equals(bytes(b[l].bias))).toBe(true);
      });
      expect(second.files).toEqual(reference.files);
    });
  }

  it("a periodic checkpoint (a run killed after it) resumes bit for bit, and checkpointing does not change the run", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "run");
    // a checkpoint at every look (every batch, or every epoch): keep the one written at the 3rd look
    const kept: Uint8Array[] = [];
    let looks = 0;
    const record = await runTraining({
      ...base,
      outDir: dir,
      checkpointEvery: 1e-9,
      onProgress: () => {
        if (++looks === 3 || kept.length === 0) {
          const file = join(dir, "checkpoint.safetensors");
          if (existsSync(file)) kept[0] = readFileSync(file);
        }
      },
    });
    expect(record.history.map((h) => h.loss)).toEqual(reference.history.map((h) => h.loss));
    expect(kept).toHaveLength(1);
    const checkpoint = decodeCheckpoint(kept[0], "kept");
    const { epoch, next } = checkpoint.position;
    expect(epoch * 120 + next).toBeGreaterThan(0);
    expect(epoch).toBeLessThan(4);
    const again = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "run");
    const resumed = await runTraining({ ...base, outDir: again, resume: checkpoint });
    expect(resumed.history.map((h) => h.loss)).toEqual(reference.history.map((h) => h.loss));
    const a = loadModel(join(again, "model.safetensors")).weights;
    const b = loadModel(join(straight, "model.safetensors")).weights;
    a.forEach((w, l) => {
      expect(bytes(w.weight).equals(bytes(b[l].weight))).toBe(true);
      expect(bytes(w.bias).equals(bytes(b[l].bias))).toBe(true);
    });
  });
});

// SAPE's progression moves between epochs and its state travels in the checkpoint (as the
// encoder's matrix): a run stopped part-way through epoch 2, after one progression update, and
// resumed must end where an uninterrupted run ends — weights, losses and the state, bit for bit.
describe.each(["reference", "wasm"])("interrupt and resume a SAPE run [%s]", (backend) => {
  const sape = parseConfig({
    encoding: { type: "sape", features: 4, sigma: 3, grid: 2, epsilon: 1e-6 },
    network: { width: 8, depth: 2 },
    training: { epochs: 4, batchSize: 16, seed: 9 },
  });
  const base = { ...setup, config: sape, backend };

  it("stopping mid-run and resuming gives the same bits as an uninterrupted run", async () => {
    const straight = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "straight");
    const reference = await runTraining({ ...base, outDir: straight });
    const dir = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "run");
    let calls = 0;
    expect((await runTraining({ ...base, outDir: dir, shouldStop: () => ++calls >= 13 })).status).toBe("interrupted");
    const second = await runTraining({ ...base, outDir: dir, resume: loadCheckpoint(join(dir, "checkpoint.safetensors")) });
    expect(second.history.map((h) => h.loss)).toEqual(reference.history.map((h) => h.loss));
    const [a, b] = [loadModel(join(dir, "model.safetensors")), loadModel(join(straight, "model.safetensors"))];
    expect(bytes(a.matrix as Float32Array).equals(bytes(b.matrix as Float32Array))).toBe(true);
    // the progression did move (ε = 1e-6 is never reached here): 4 bands / ⌈0.5·4⌉ = 2 per update, 3 updates, capped at 4
    expect(Array.from((b.matrix as Float32Array).subarray(8, 12))).toEqual([4, 4, 4, 4]);
    for (const [l, w] of a.weights.entries()) expect(bytes(w.weight).equals(bytes(b.weights[l].weight))).toBe(true);
  });
});
