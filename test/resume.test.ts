import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerBackend } from "../src/backend.js";
import { parseConfig } from "../src/config.js";
import { decodePNG } from "../src/image/png.js";
import { loadCheckpoint, loadModel } from "../src/io/model-file.js";
import { referenceBackend } from "../src/reference/trainer.js";
import { runTraining } from "../src/training/runner.js";
import { patternPNG } from "./png-helpers.js";

registerBackend(referenceBackend);
const image = decodePNG(patternPNG(12, 10));
// 120 samples, batch 16: 8 batches per epoch, the last one short (8 samples)
const config = parseConfig({ network: { width: 8, depth: 2 }, training: { epochs: 4, batchSize: 16, seed: 9 }, schedule: { every: 2, factor: 0.5 } });
const base = { config, image, imageSource: "pattern", backend: "reference", snapshots: [2, 4], version: "test" };
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("interrupt and resume", () => {
  const straight = join(mkdtempSync(join(tmpdir(), "coordnet-resume-")), "straight");
  let reference: Awaited<ReturnType<typeof runTraining>>;

  it("an uninterrupted run completes", async () => {
    reference = await runTraining({ ...base, outDir: straight });
    expect(reference.status).toBe("complete");
    expect(reference.history).toHaveLength(4);
  });

  for (const stopAfter of [1, 5, 8, 13, 30]) {
    it(`stopping after batch call ${stopAfter} and resuming gives bit-identical weights and losses`, async () => {
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
      expect(second.files).not.toContain("checkpoint.safetensors");
      expect(second.files).toEqual(reference.files);
    });
  }
});
