import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fit as train } from "../dist/api/fit.js";
import { ConfigError, parseConfig } from "../dist/config.js";
import { holdoutCounts, holdoutSplit } from "../dist/holdout.js";
import { loadCheckpoint, loadModel } from "../dist/io/model-file.js";
import { startSession, trainOneEpoch } from "../dist/training/loop.js";
import { runTraining } from "../dist/training/runner.js";
import { describeBackends } from "./backends.js";

/** A W×H float RGB image of smooth ramps and a disc: row-major [H·W][3]. */
function picture(width: number, height: number) {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 3;
      data[k] = x / (width - 1);
      data[k + 1] = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (width * height) / 10 ? 0.9 : 0.2;
      data[k + 2] = 1 - y / (height - 1);
    }
  return { width, height, data };
}

/** Every pixel index once, in either list, both ascending. */
function expectPartition(split: { train: Uint32Array; test: Uint32Array }, pixels: number): void {
  const seen = new Uint8Array(pixels);
  for (const k of [...split.train, ...split.test]) seen[k]++;
  expect(seen.every((n) => n === 1)).toBe(true);
  for (const list of [split.train, split.test]) for (let i = 1; i < list.length; i++) expect(list[i]).toBeGreaterThan(list[i - 1]);
}

describe("the held-out split", () => {
  it("every-other trains on exactly the pixels with even x and even y, and tests on all the others", () => {
    for (const [w, h] of [
      [4, 2],
      [5, 3],
      [8, 8],
      [7, 1],
      [1, 6],
    ]) {
      const split = holdoutSplit("every-other", w, h, 0);
      expectPartition(split, w * h);
      for (const k of split.train) expect([(k % w) % 2, Math.floor(k / w) % 2]).toEqual([0, 0]);
      for (const k of split.test) expect((k % w) % 2 === 1 || Math.floor(k / w) % 2 === 1).toBe(true);
      expect(split.train.length).toBe(Math.ceil(w / 2) * Math.ceil(h / 2));
      // the seed plays no part in the grid
      expect([...holdoutSplit("every-other", w, h, 99).train]).toEqual([...split.train]);
    }
    expect([...holdoutSplit("every-other", 4, 2, 0).test]).toEqual([1, 3, 4, 5, 6, 7]);
  });

  it("a fraction holds out round(F·N) pixels, the same ones for the same seed, others for another", () => {
    const a = holdoutSplit(0.3, 20, 10, 5);
    expectPartition(a, 200);
    expect(a.test.length).toBe(60);
    expect([...holdoutSplit(0.3, 20, 10, 5).test]).toEqual([...a.test]);
    expect([...holdoutSplit(0.3, 20, 10, 6).test]).not.toEqual([...a.test]);
    // not a block of the image: held-out pixels are spread over its rows
    expect(new Set([...a.test].map((k) => Math.floor(k / 20))).size).toBeGreaterThan(5);
  });

  it("holds out at least one pixel and keeps at least one to train on; a 1-pixel image is refused", () => {
    expect(holdoutSplit(0.001, 10, 10, 0).test.length).toBe(1);
    expect(holdoutSplit(0.999, 10, 10, 0).train.length).toBe(1);
    expect(() => holdoutSplit("every-other", 1, 1, 0)).toThrow(/at least 2 pixels/);
    expect(() => holdoutSplit(1.5 as number, 4, 4, 0)).toThrow(/fraction in \(0, 1\), got 1\.5/);
    expect(() => holdoutSplit("every_other" as "every-other", 4, 4, 0)).toThrow(/did you mean 'every-other'/);
  });

  it("holdoutCounts agrees with the split without drawing it", () => {
    for (const h of [undefined, "every-other", 0.1, 0.5, 0.97] as const)
      for (const [w, hh] of [
        [3, 3],
        [16, 9],
        [33, 2],
      ]) {
        const split = holdoutSplit(h, w, hh, 3);
        expect(holdoutCounts(h, w, hh)).toEqual({ train: split.train.length, test: split.test.length });
      }
  });

  it("is a config field: optional, validated in one line with a did-you-mean", () => {
    expect("holdout" in parseConfig({}).training).toBe(false);
    expect(parseConfig({ training: { holdout: "every-other" } }).training.holdout).toBe("every-other");
    expect(parseConfig({ training: { holdout: 0.25 } }).training.holdout).toBe(0.25);
    for (const [value, pattern] of [
      [1.5, /training\.holdout must be "every-other" or a fraction of the pixels in \(0, 1\), got 1\.5$/],
      [0, /got 0$/],
      ["every_other", /got "every_other" \(did you mean 'every-other'\?\)/],
    ] as const) {
      expect(() => parseConfig({ training: { holdout: value } })).toThrow(ConfigError);
      expect(() => parseConfig({ training: { holdout: value } })).toThrow(pattern);
    }
  });
});

describe("training with held-out pixels", () => {
  const image = picture(12, 10);
  const config = parseConfig({
    encoding: { type: "positional", frequencies: 3 },
    network: { width: 16, depth: 2 },
    training: { epochs: 3, batchSize: 8, seed: 4, holdout: "every-other" },
    optimizer: { lr: 1e-2 },
  });

  it("each epoch visits every training pixel once and no held-out pixel", async () => {
    const session = await startSession({ config, image, backend: "reference" });
    const orders: number[][] = [];
    const epoch = session.trainer.epoch.bind(session.trainer);
    session.trainer.epoch = (inputs, targets, order, ...rest) => {
      orders.push([...order]);
      return epoch(inputs, targets, order, ...rest);
    };
    try {
      expect(session.samples).toBe(30); // 6 × 5 even (x, y) of 12 × 10
      for (let e = 0; e < 3; e++) await trainOneEpoch(session);
    } finally {
      await session.trainer.dispose();
    }
    const train = [...holdoutSplit("every-other", 12, 10, 4).train];
    expect(orders).toHaveLength(3);
    for (const order of orders) expect([...order].sort((a, b) => a - b)).toEqual(train);
    // shuffled afresh each epoch
    expect(orders[1]).not.toEqual(orders[0]);
  });

  it("fit's testPsnr is the PSNR of the model's own predictions on the held-out pixels, computed independently", async () => {
    const model = await train(image, { config, backend: "reference" });
    const training = model.training;
    expect(training?.testPsnr).toBeTypeOf("number");
    // pixel (x, y) at (x/(W−1), y/(H−1)) in [0, 1]²: the config's range is [0, 1]
    const points = new Float64Array(image.width * image.height * 2);
    for (let k = 0; k < image.width * image.height; k++) {
      points[2 * k] = (k % image.width) / (image.width - 1);
      points[2 * k + 1] = Math.floor(k / image.width) / (image.height - 1);
    }
    const predicted = await model.predictMany(points, { backend: "reference" });
    let heldSum = 0;
    let heldCount = 0;
    let trainSum = 0;
    let trainCount = 0;
    for (let k = 0; k < image.width * image.height; k++) {
      const held = (k % image.width) % 2 === 1 || Math.floor(k / image.width) % 2 === 1;
      for (let c = 0; c < 3; c++) {
        const e = (Math.min(1, Math.max(0, predicted[k * 3 + c])) - image.data[k * 3 + c]) ** 2;
        if (held) heldSum += e;
        else trainSum += e;
      }
      if (held) heldCount += 3;
      else trainCount += 3;
    }
    const psnr = (mse: number) => 10 * Math.log10(1 / mse);
    // the same network and encoding on the same backend (measured: equal to the last bit); 1e-4 dB
    // leaves room for float32 rounding of the coordinates, far below what a wrong split does (one
    // pixel moved to the other list shifts the PSNR by 0.005–0.017 dB here)
    expect(Math.abs((training?.testPsnr as number) - psnr(heldSum / heldCount))).toBeLessThan(1e-4);
    expect(Math.abs((training?.testMse as number) - heldSum / heldCount)).toBeLessThan(1e-7);
    expect(Math.abs((training?.psnr as number) - psnr(trainSum / trainCount))).toBeLessThan(1e-4);
    // the epoch's loss is over the training pixels: the history has one record per epoch of 30 samples
    expect(training?.history).toHaveLength(3);
  });

  it("fit without a holdout carries no testPsnr", async () => {
    const model = await train(image, { config: { ...config, training: { epochs: 1, batchSize: 8, seed: 4 } }, backend: "reference" });
    expect(model.training?.testPsnr).toBeUndefined();
    expect(model.training?.testMse).toBeUndefined();
  });

  it("run.json records the setting, the pixel counts, testMse and testPsnr, and snapshot epochs' train and test PSNR", async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), "coordnet-holdout-")), "run");
    const record = await runTraining({ config, image, imageSource: "picture", backend: "reference", outDir, snapshots: [1, 3], version: "test" });
    const json = JSON.parse(readFileSync(join(outDir, "run.json"), "utf8"));
    expect(json.holdout).toEqual({ setting: "every-other", trainPixels: 30, testPixels: 90 });
    expect(json.config.training.holdout).toBe("every-other");
    expect(json.testPsnr).toBe(record.testPsnr);
    expect(json.testMse).toBeGreaterThan(0);
    expect(json.testPsnr).toBeCloseTo(10 * Math.log10(1 / json.testMse), 10);
    expect(json.history.map((h: { testPsnr?: number }) => h.testPsnr !== undefined)).toEqual([true, false, true]);
    // the last snapshot is of the final network: its figures are the run's
    expect(json.history[2].testPsnr).toBe(json.testPsnr);
    expect(json.history[2].psnr).toBe(json.psnr);
    // the model file carries the setting in its config
    expect(loadModel(join(outDir, "model.safetensors")).config.training.holdout).toBe("every-other");
  });

  it("an interrupted run resumes on the same pixels, bit for bit", async () => {
    const fraction = { ...config, training: { ...config.training, holdout: 0.4 } };
    const base = { config: fraction, image, imageSource: "picture", backend: "reference", snapshots: [3], version: "test" };
    const root = mkdtempSync(join(tmpdir(), "coordnet-holdout-"));
    const straight = await runTraining({ ...base, outDir: join(root, "straight") });
    let looks = 0;
    const dir = join(root, "cut");
    const first = await runTraining({ ...base, outDir: dir, shouldStop: () => ++looks >= 9 });
    expect(first.status).toBe("interrupted");
    const checkpoint = loadCheckpoint(join(dir, "checkpoint.safetensors"));
    expect(checkpoint.config.training.holdout).toBe(0.4);
    const resumed = await runTraining({ ...base, outDir: dir, resume: checkpoint });
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(resumed.testPsnr).toBe(straight.testPsnr);
    expect(resumed.holdout).toEqual({ setting: 0.4, trainPixels: 72, testPixels: 48 });
  });

  it("a snapshot of an exact fit (infinite PSNR) leaves its PSNR out, and the run still resumes", async () => {
    // a white image and a linear output: the predictions overshoot past 1, clamp to it, and the
    // error is exactly 0 at some epochs (measured: 20–23 of this seed)
    const white = { width: 4, height: 4, data: new Float32Array(48).fill(1) };
    const exact = parseConfig({
      network: { width: 8, depth: 1, outputActivation: "identity" },
      training: { epochs: 40, batchSize: 4, seed: 0, holdout: "every-other" },
      optimizer: { lr: 0.1 },
    });
    const dir = join(mkdtempSync(join(tmpdir(), "coordnet-holdout-")), "exact");
    const base = {
      config: exact,
      image: white,
      imageSource: "white",
      backend: "reference",
      snapshots: Array.from({ length: 40 }, (_, i) => i + 1),
      version: "test",
    };
    let looks = 0;
    const first = await runTraining({ ...base, outDir: dir, shouldStop: () => ++looks >= 70 });
    expect(first.status).toBe("interrupted");
    // some snapshot fitted exactly (no PSNR noted), the others have finite ones
    expect(first.history.some((h) => h.psnr === undefined)).toBe(true);
    for (const h of first.history) if (h.psnr !== undefined) expect(Number.isFinite(h.psnr)).toBe(true);
    const resumed = await runTraining({ ...base, outDir: dir, resume: loadCheckpoint(join(dir, "checkpoint.safetensors")) });
    expect(resumed.status).toBe("complete");
    expect(resumed.history).toHaveLength(40);
  });
});

// The sample selection lives above the backends: whatever a backend does with its batches, the
// held-out pixels' colours must not reach it. Training on an image whose held-out pixels are
// replaced by noise gives bit-identical weights; changing one training pixel does not (the check
// is not vacuous).
describeBackends(
  "held-out pixels never reach the trainer",
  (backend) => {
    const config = parseConfig({
      network: { width: 8, depth: 1 },
      training: { epochs: 2, batchSize: 8, seed: 1, holdout: 0.5 },
      optimizer: { lr: 1e-2 },
    });
    const image = picture(6, 4);
    const weightsAfter = async (data: Float32Array) => {
      const session = await startSession({ config, image: { ...image, data }, backend: backend.name });
      try {
        expect(session.trainer.info.backend).toBe(backend.name);
        while (session.state.epoch < 2) await trainOneEpoch(session);
        return (await session.trainer.getWeights()).flatMap((l) => [...l.weight, ...l.bias]);
      } finally {
        await session.trainer.dispose();
      }
    };
    it("noise in the held-out pixels changes nothing; a changed training pixel does", async () => {
      const { train, test } = holdoutSplit(0.5, 6, 4, 1);
      const noisy = image.data.slice();
      for (const k of test) for (let c = 0; c < 3; c++) noisy[k * 3 + c] = ((k * 7 + c * 3) % 11) / 10;
      const changed = image.data.slice();
      changed[train[0] * 3] = 1 - changed[train[0] * 3];
      const clean = await weightsAfter(image.data);
      expect(await weightsAfter(noisy)).toEqual(clean);
      expect(await weightsAfter(changed)).not.toEqual(clean);
    });
  },
  ["reference", "wasm", "gpujs-cpu", "gpujs-wasm", "gpujs-webgpu", "webgpu"],
);
