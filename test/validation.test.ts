import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gpujsCpuBackend, gpujsWasmBackend } from "../dist/backends/gpujs/index.js";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend, requireBackend } from "../dist/backends/registry.js";
import { wasmBackend } from "../dist/backends/wasm/index.js";
import { parseConfig } from "../dist/config.js";
import { ModelFileError } from "../dist/errors.js";
import { type Checkpoint, saveCheckpoint, saveModel } from "../dist/io/model-file.js";
import { decodeSafeTensors, encodeSafeTensors } from "../dist/io/safetensors.js";
import { initialWeights, networkSpec } from "../dist/network.js";
import { isOneLineRefusal, type Outcome, runMain } from "./cli-inprocess.js";
import { patternPNG } from "./png-helpers.js";

// Issue 10, "Files": bad checkpoints, models, sizes and configs are one `coordnet:` line and exit
// 2 before anything is allocated or written; every backend refuses the same bad weights alike.

const tmp = mkdtempSync(join(tmpdir(), "coordnet-validation-"));
const image = join(tmp, "pattern.png");
const config = parseConfig({ network: { width: 6, depth: 2 }, training: { epochs: 3, batchSize: 16, seed: 2 } });
const weights = initialWeights(config);
const zeros = () => weights.flatMap((w) => [new Float32Array(w.weight.length), new Float32Array(w.bias.length)]);
const checkpoint = (): Checkpoint => ({
  config,
  weights,
  matrix: null,
  optimizer: { step: 10, m: zeros(), v: zeros() }, // 8 batches in epoch 1, 2 in epoch 2
  position: {
    epoch: 1,
    next: 32,
    lossSum: 0.5,
    rngState: [1, 2, 3, 4],
    history: [{ epoch: 1, loss: 0.1, lr: 1e-3, seconds: 0.01 }],
    seconds: 0.01,
    run: { image, width: 12, height: 10, backend: "reference", snapshots: [3] },
  },
});

/**
 * A run folder holding the checkpoint after `edit` (of the state JSON, the header JSON or the
 * tensors). An edited file loses its checksum (as files written before checksums had none), so that
 * each edit reaches the check it is meant for instead of the checksum's.
 */
function folder(
  name: string,
  edit: {
    state?: (s: Record<string, unknown>) => void;
    header?: (h: Record<string, unknown>) => void;
    tensors?: (t: Map<string, { shape: number[]; data: Float32Array }>) => void;
  },
): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "checkpoint.safetensors");
  saveCheckpoint(file, checkpoint(), "test");
  const { tensors, metadata } = decodeSafeTensors(readFileSync(file));
  const state = JSON.parse(metadata.state);
  edit.state?.(state);
  edit.tensors?.(tensors);
  if (edit.state || edit.tensors || edit.header) delete metadata.checksum;
  let bytes = encodeSafeTensors(tensors, { ...metadata, state: JSON.stringify(state) });
  if (edit.header) {
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
    edit.header(header);
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    bytes = Buffer.concat([length, json, bytes.subarray(8 + n)]);
  }
  writeFileSync(file, bytes);
  return dir;
}

function expectRefused(o: Outcome, pattern: RegExp): void {
  expect(o.stderr).toMatch(pattern);
  expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
  expect(o.stdout).toBe("");
}

beforeAll(() => {
  writeFileSync(image, patternPNG(12, 10));
});

describe("checkpoints: --resume refuses a bad state in one line, before allocating or writing", () => {
  it("accepts the unedited checkpoint (the cases below differ from it in one thing)", async () => {
    const o = await runMain("train", "--resume", folder("good", {}), "--json");
    expect(o.stderr).toBe("");
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout).history).toHaveLength(3);
  });

  const cases: [string, Parameters<typeof folder>[1], RegExp][] = [
    ["a negative epoch", { state: (s) => (s.epoch = -1) }, /training state's epoch must be a whole number/],
    ["an epoch past the run", { state: (s) => (s.epoch = 3507) }, /epoch is 3507, past the run's 3 epochs/],
    ['an RNG state of "abc"', { state: (s) => (s.rngState = "abc") }, /rngState must be 4 whole numbers/],
    ["an RNG state of all zeros", { state: (s) => (s.rngState = [0, 0, 0, 0]) }, /rngState must not be all zeros/],
    ["a position that is not a batch boundary", { state: (s) => (s.next = 33) }, /position 33 is not a batch boundary/],
    ["a history that does not match the epoch", { state: (s) => (s.history = []) }, /history does not list epochs 1 to 1/],
    [
      "a training width of 65536 (65536×65536)",
      // with Adam's step count of that size: 1 epoch of 65536² / 16 batches and 2 more
      { state: (s) => Object.assign(s, { adamStep: 65536 ** 2 / 16 + 2, run: Object.assign(s.run as object, { width: 65536, height: 65536 }) }) },
      /checkpoint's training size is 65536×65536 .*above the limit/,
    ],
    ["a training width past 65536", { state: (s) => Object.assign(s.run as object, { width: 70000 }) }, /run.width must be a whole number from 1 to 65536/],
    ["Adam's step of -1", { state: (s) => (s.adamStep = -1) }, /adamStep must be a whole number/],
    [
      "Adam moments of the wrong length",
      { tensors: (t) => t.set("adam.m.0", { shape: [5], data: new Float32Array(5) }) },
      /adam\.m\.0 \(for layers\.0\.weight\) has 5 values, expected 12/,
    ],
    ["a negative second moment", { tensors: (t) => t.set("adam.v.1", { shape: [6], data: Float32Array.of(0, 0, -1, 0, 0, 0) }) }, /adam\.v\.1\[2\] is -1/],
    ["a NaN weight", { tensors: (t) => (t.get("layers.1.weight") as { data: Float32Array }).data.fill(Number.NaN, 3, 4) }, /layers\.1\.weight\[3\] is NaN/],
    [
      "an infinite bias",
      { tensors: (t) => (t.get("layers.0.bias") as { data: Float32Array }).data.fill(Number.POSITIVE_INFINITY, 0, 1) },
      /layers\.0\.bias\[0\] is Infinity/,
    ],
    ['"__metadata__": null', { header: (h) => (h.__metadata__ = null) }, /__metadata__ is not a map of strings/],
    [
      "overlapping tensor offsets",
      {
        header: (h) => {
          const b = h["layers.0.bias"] as { data_offsets: number[] };
          const w = h["layers.0.weight"] as { data_offsets: number[] };
          w.data_offsets = [b.data_offsets[0], b.data_offsets[0] + (w.data_offsets[1] - w.data_offsets[0])];
        },
      },
      /overlap|gap/,
    ],
    ["a state that is not JSON", { header: (h) => ((h.__metadata__ as Record<string, string>).state = "{nope") }, /training state is not valid JSON/],
    [
      "a state nested 100,000 levels deep",
      { header: (h) => ((h.__metadata__ as Record<string, string>).state = `${"[".repeat(1e5)}${"]".repeat(1e5)}`) },
      /nested more than 64 levels/,
    ],
    [
      "a foreign tensor",
      { tensors: (t) => t.set("layers.9.weight", { shape: [1], data: new Float32Array(1) }) },
      /tensor layers\.9\.weight is not part of a network/,
    ],
  ];
  for (const [what, edit, pattern] of cases)
    it(what, async () => {
      const dir = folder(what.replace(/\W+/g, "-"), edit);
      const before = readdirSync(dir);
      expectRefused(await runMain("train", "--resume", dir), pattern);
      expect(readdirSync(dir)).toEqual(before);
    });
});

describe("model files: render refuses NaN/Inf weights instead of writing a black PNG", () => {
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
    it(`a weight of ${value}`, async () => {
      const file = join(tmp, `model-${value}.safetensors`);
      const bad = weights.map((w) => ({ weight: Float32Array.from(w.weight), bias: Float32Array.from(w.bias) }));
      bad[2].weight[1] = value;
      saveModel(file, { config, weights: bad, matrix: null }, "test");
      const out = join(tmp, `render-${value}.png`);
      expectRefused(
        await runMain("render", file, "--size", "8x8", "--out", out, "--backend", "reference"),
        new RegExp(`layers\\.2\\.weight\\[1\\] is ${value}`),
      );
      expect(readdirSync(tmp)).not.toContain(`render-${value}.png`);
    });
});

describe("sizes and memory: one budget, checked before allocating", () => {
  it("train --size 5000x5000 on a small image (main trained at 25 MP)", async () => {
    expectRefused(
      await runMain("train", "--image", image, "--size", "5000x5000", "--out", join(tmp, "s1"), "--backend", "reference"),
      /--size is 5000×5000 \(25\.0 megapixels\), above the limit of 16\.0 megapixels/,
    );
  });

  it("render --size 20000x20000 (main: 'Array buffer allocation failed', exit 1)", async () => {
    const file = join(tmp, "model-ok.safetensors");
    saveModel(file, { config, weights, matrix: null }, "test");
    expectRefused(await runMain("render", file, "--size", "20000x20000", "--out", join(tmp, "big.png")), /--size is 20000×20000 \(400\.0 megapixels\)/);
  });

  it("a network whose activations cannot fit: says how much, and what to change", async () => {
    const big = ["--image", image, "--size", "1024x1024", "--width", "4096", "--depth", "64", "--batch-size", "1048576", "--epochs", "1"];
    for (const backend of ["reference", "wasm", "gpujs-wasm"]) {
      const o = await runMain("train", ...big, "--backend", backend, "--out", join(tmp, "s2"));
      expectRefused(
        o,
        backend === "wasm"
          ? /the wasm backend cannot hold this network with batches of 1048576: it needs \d+\.\d GiB/
          : /needs about \d+\.\d GiB of memory \(activations \(64 × 4096 units, batch 1048576\).*lower --batch-size \(now 1048576\), --width \(now 4096\)/,
      );
    }
    const small = ["--image", image, "--width", "256", "--depth", "4", "--epochs", "1", "--backend", "reference", "--out", join(tmp, "s3")];
    expectRefused(await runMain("train", ...small, "--max-memory", "1"), /needs about \d+\.\d MiB of memory .*above the limit of 1\.0 MiB.*raise --max-memory/);
    expect((await runMain("train", ...small, "--max-memory", "64")).code).toBe(0);
  });
});

describe("configs", () => {
  it('a block of the wrong type combined with a flag ({"training": 5} + --epochs 1)', async () => {
    const file = join(tmp, "training5.json");
    writeFileSync(file, '{"training": 5}');
    expectRefused(
      await runMain("train", "--config", file, "--epochs", "1", "--image", image, "--out", join(tmp, "c1")),
      /invalid config: training must be an object, got 5/,
    );
  });

  it("a config nested 100,000 levels deep", async () => {
    const file = join(tmp, "deep.json");
    writeFileSync(file, `${'{"a":'.repeat(1e5)}1${"}".repeat(1e5)}`);
    expectRefused(
      await runMain("train", "--config", file, "--epochs", "1", "--image", image, "--out", join(tmp, "c2")),
      /config is nested more than 64 levels deep/,
    );
  });
});

describe("the trainer boundary: every backend refuses the same bad weights and Adam state alike", () => {
  for (const backend of [referenceBackend, wasmBackend, gpujsWasmBackend, gpujsCpuBackend]) registerBackend(backend);
  const spec = networkSpec(config);
  const copy = () => weights.map((w) => ({ weight: Float32Array.from(w.weight), bias: Float32Array.from(w.bias) }));

  for (const name of ["reference", "wasm", "gpujs-wasm", "gpujs-cpu"])
    it(name, async () => {
      const backend = await requireBackend(name);
      const nan = copy();
      nan[1].bias[2] = Number.NaN;
      await expect(backend.create({ spec, adam: config.optimizer, weights: nan, maxBatch: 16 })).rejects.toThrow(
        new ModelFileError("layers.1.bias[2] is NaN: every value must be finite"),
      );
      const short = copy();
      short[0].weight = short[0].weight.subarray(1);
      await expect(backend.create({ spec, adam: config.optimizer, weights: short, maxBatch: 16 })).rejects.toThrow(
        /layers\.0\.weight has 11 values, expected 12/,
      );
      const trainer = await backend.create({ spec, adam: config.optimizer, weights: copy(), maxBatch: 16 });
      try {
        expect(trainer.info.backend).toBe(name);
        const state = { step: 3, m: zeros(), v: zeros() };
        state.m[4] = new Float32Array(7); // layers.2.weight has 18 values
        expect(() => trainer.setOptimizerState(state)).toThrow(new ModelFileError("adam.m.4 (for layers.2.weight) has 7 values, expected 18"));
        expect(() => trainer.setOptimizerState({ step: 3, m: zeros(), v: zeros().slice(1) })).toThrow(/Adam's v has 5 arrays, expected 6/);
        expect(() => trainer.setOptimizerState({ step: -2, m: zeros(), v: zeros() })).toThrow(/step count is -2/);
        expect(() => trainer.setWeights(nan)).toThrow(ModelFileError);
        const good = { step: 3, m: zeros().map((a) => a.fill(0.25)), v: zeros().map((a) => a.fill(0.5)) };
        trainer.setOptimizerState(good);
        const back = await trainer.getOptimizerState();
        expect(back.step).toBe(3);
        expect(back.m.map((a) => Array.from(a))).toEqual(good.m.map((a) => Array.from(a)));
        expect(back.v.map((a) => Array.from(a))).toEqual(good.v.map((a) => Array.from(a)));
      } finally {
        await trainer.dispose();
      }
    });
});
