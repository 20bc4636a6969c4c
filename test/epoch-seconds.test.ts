import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend } from "../dist/backends/registry.js";
import { parseConfig } from "../dist/config.js";
import { decodePNG } from "../dist/image/png.js";
import { loadCheckpoint } from "../dist/io/model-file.js";
import { runTraining } from "../dist/training/runner.js";
import { patternPNG } from "./png-helpers.js";

// Issue 19, item 4: an epoch's record counts all of its slices. The runner cuts training into
// slices of about 100 ms (to look at signals, draw progress and write checkpoints), and a resumed
// epoch continues one that was interrupted; run.json recorded only each epoch's last slice, so a
// 3-epoch run of 3.95 s listed 0.26 s. The per-epoch seconds must add up to trainingSeconds.

registerBackend(referenceBackend);
const image = decodePNG(patternPNG(48, 48));
// 2,304 samples in batches of 16 through a 48×3 reference network: about a second an epoch here,
// so each epoch is many slices
const config = parseConfig({ network: { width: 48, depth: 3 }, training: { epochs: 3, batchSize: 16, seed: 4 } });
const setup = { config, image, imageSource: "pattern", snapshots: [], version: "test", backend: "reference" };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Every epoch's seconds, and their sum against the run's training seconds. */
function expectSecondsAddUp(runJson: string): void {
  const record = JSON.parse(readFileSync(runJson, "utf8")) as { history: { seconds: number }[]; trainingSeconds: number };
  const perEpoch = record.history.map((h) => h.seconds);
  expect(perEpoch).toHaveLength(3);
  for (const s of perEpoch) expect(s).toBeGreaterThan(0);
  // the same clock readings summed two ways: equal but for float rounding
  expect(Math.abs(sum(perEpoch) - record.trainingSeconds)).toBeLessThanOrEqual(1e-9 * record.trainingSeconds + 1e-12);
}

describe("per-epoch seconds", () => {
  it("add up to trainingSeconds in a run cut into slices", async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), "coordnet-seconds-")), "run");
    // a checkpoint due at every look: the runner cuts every epoch after each of its 144 batches,
    // whatever the machine's speed (else a fast machine could train each epoch in one slice)
    let looks = 0;
    const record = await runTraining({ ...setup, outDir, checkpointEvery: 1e-9, onProgress: () => looks++ });
    expect(record.status).toBe("complete");
    expect(looks).toBeGreaterThanOrEqual(3 * 144);
    expectSecondsAddUp(join(outDir, "run.json"));
  });

  it("add up in a run interrupted mid-epoch and resumed", async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), "coordnet-seconds-")), "run");
    let looks = 0;
    // stop at the third look: part-way through the first epoch
    const first = await runTraining({ ...setup, outDir, checkpointEvery: 0, shouldStop: () => ++looks >= 3 });
    expect(first.status).toBe("interrupted");
    const checkpoint = loadCheckpoint(join(outDir, "checkpoint.safetensors"));
    expect(checkpoint.position.next).toBeGreaterThan(0);
    const resumed = await runTraining({ ...setup, outDir, resume: checkpoint });
    expect(resumed.status).toBe("complete");
    expectSecondsAddUp(join(outDir, "run.json"));
  });
});
