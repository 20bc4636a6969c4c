import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend } from "../dist/backends/registry.js";
import { parseConfig } from "../dist/config.js";
import { decodePNG } from "../dist/image/png.js";
import { DivergenceError, fit as fitInMemory } from "../dist/index.js";
import { crc32 } from "../dist/io/crc32.js";
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel, loadCheckpoint, ModelFileError } from "../dist/io/model-file.js";
import { decodeSafeTensors, encodeSafeTensors } from "../dist/io/safetensors.js";
import { initialWeights } from "../dist/network.js";
import { runTraining } from "../dist/training/runner.js";
import { isOneLineRefusal, type Outcome, runMain } from "./cli-inprocess.js";
import { patternPNG } from "./png-helpers.js";

// Issue 17, class 6: wrong results reported as success. A non-finite result is a DivergenceError
// (exit 1) wherever it appears; a checkpoint or model whose bytes changed is refused by its
// checksum, and one whose Adam step count disagrees with its position by that check; a preset
// named twice in `paper --presets` runs once. Every case here failed on main at 4f645e5.

registerBackend(referenceBackend);
const tmp = mkdtempSync(join(tmpdir(), "coordnet-hostile-results-"));
const image = join(tmp, "pattern.png");
writeFileSync(image, patternPNG(8, 8));
// a network whose forward pass overflows after one Adam step at lr 1e30 (weights ≈ ±1e30 → ∞ − ∞)
const diverging = ["--image", image, "--epochs", "1", "--lr", "1e30", "--backend", "reference"];
const small = ["--image", image, "--width", "8", "--depth", "1", "--batch-size", "16", "--backend", "reference"];

/** The one `coordnet:` line of a failed run (exit 1). */
function expectOneLineFailure(o: Outcome, pattern: RegExp): void {
  expect(o.code, JSON.stringify(o)).toBe(1);
  expect(o.stderr).toMatch(/^coordnet: [^\n]+\n$/);
  expect(o.stderr).toMatch(pattern);
  expect(o.stdout).toBe("");
}

/** The file's header, parsed, and the byte offset of its data section. */
function header(bytes: Uint8Array): { json: Record<string, unknown>; dataStart: number } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { json: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8")), dataStart: 8 + n };
}

/** A run folder copied from `from`, its checkpoint's state edited and its checksum dropped or kept. */
function editedRun(from: string, name: string, edit: (state: Record<string, unknown>) => void, keepChecksum = false): string {
  const dir = join(tmp, name);
  cpSync(from, dir, { recursive: true });
  const file = join(dir, "checkpoint.safetensors");
  const { tensors, metadata } = decodeSafeTensors(readFileSync(file));
  const state = JSON.parse(metadata.state);
  edit(state);
  const { checksum, ...rest } = metadata;
  writeFileSync(file, encodeSafeTensors(tensors, { ...rest, state: JSON.stringify(state), ...(keepChecksum ? { checksum } : {}) }));
  return dir;
}

/** Every file of a folder with its bytes, to show that a refused command changed nothing. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f)).toString("base64")]),
  );
}

describe("divergence is a failure, never a result", () => {
  it("fit at lr 1e30 rejects with a DivergenceError of one line (main resolved with PSNR NaN)", async () => {
    const e = await fitInMemory({ width: 8, height: 8, data: decodePNG(patternPNG(8, 8)).data }, { lr: 1e30, epochs: 1, backend: "reference" }).catch((x) => x);
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e.message).toMatch(/^training diverged in epoch 1: .* is NaN; try a lower learning rate$/);
  });

  it("train --lr 1e30: exit 1, one line, and no final.png, model.safetensors or run.json (main: exit 0, 'MSE NaN, PSNR NaN')", async () => {
    const out = join(tmp, "diverged");
    const o = await runMain("train", ...diverging, "--out", out);
    expectOneLineFailure(o, /training diverged in epoch 1: .* is NaN; try a lower learning rate \(--lr\)/);
    for (const file of ["final.png", "model.safetensors", "run.json", "checkpoint.safetensors", "loss.svg"])
      expect(existsSync(join(out, file)), file).toBe(false);
  });

  it("a run that diverges part-way through an epoch leaves no checkpoint of the diverged state (main wrote one that --resume refuses)", async () => {
    // a checkpoint after every batch; 64 pixels in batches of 16, the loss NaN from the second batch on
    const config = parseConfig({ training: { epochs: 1, batchSize: 16, seed: 0 }, optimizer: { lr: 1e30 } });
    const outDir = join(tmp, "diverged-part-way");
    const run = runTraining({
      config,
      image: decodePNG(patternPNG(8, 8)),
      imageSource: image,
      backend: "reference",
      outDir,
      snapshots: [1],
      version: "test",
      checkpointEvery: 1e-9,
    });
    await expect(run).rejects.toBeInstanceOf(DivergenceError);
    const file = join(outDir, "checkpoint.safetensors");
    // the checkpoint of the last finite state (after the first batch) is kept, and can be resumed
    expect(existsSync(file)).toBe(true);
    const checkpoint = loadCheckpoint(file);
    expect(checkpoint.position).toMatchObject({ epoch: 0, next: 16 });
    expect(checkpoint.optimizer.step).toBe(1);
    expect(existsSync(join(outDir, "final.png")) || existsSync(join(outDir, "model.safetensors")) || existsSync(join(outDir, "epoch-0001.png"))).toBe(false);
  });
});

describe("checkpoints carry a checksum and a step count that agrees with their position", () => {
  const run = join(tmp, "run");
  const straight = join(tmp, "run-straight");

  beforeAll(async () => {
    // a finished 2-epoch run (to resume with --epochs 3), and the same run trained straight to 3 epochs
    expect((await runMain("train", ...small, "--epochs", "2", "--out", run)).code).toBe(0);
    expect((await runMain("train", ...small, "--epochs", "3", "--out", straight)).code).toBe(0);
  });

  it("a flipped bit in a weight is refused on --resume: exit 2, one line, nothing written (main resumed into another run)", async () => {
    // the control: an intact copy resumes to the straight run's model, byte for byte
    const control = join(tmp, "run-control");
    cpSync(run, control, { recursive: true });
    const ok = await runMain("train", "--resume", control, "--epochs", "3", "--json");
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(readFileSync(join(control, "model.safetensors")).equals(readFileSync(join(straight, "model.safetensors")))).toBe(true);

    const dir = join(tmp, "flipped-data");
    cpSync(run, dir, { recursive: true });
    const file = join(dir, "checkpoint.safetensors");
    const bytes = new Uint8Array(readFileSync(file));
    // the lowest mantissa bit of the first value of the data: still a finite float32, a different run
    bytes[header(bytes).dataStart] ^= 1;
    writeFileSync(file, bytes);
    const before = contents(dir);
    const o = await runMain("train", "--resume", dir, "--epochs", "3");
    expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
    expect(o.stderr).toMatch(/checkpoint\.safetensors: its checksum does not match .*: the file is damaged/);
    expect(contents(dir)).toEqual(before);
  });

  it("a flipped bit in the training state's history is refused the same way", async () => {
    const dir = join(tmp, "flipped-state");
    cpSync(run, dir, { recursive: true });
    const file = join(dir, "checkpoint.safetensors");
    const bytes = new Uint8Array(readFileSync(file));
    // a digit of the first epoch's loss (`\"loss\":0.1033…`): flipping bit 0 of '0'…'9' gives another digit, so the JSON stays valid
    const key = '\\"history\\":[{\\"epoch\\":1,\\"loss\\":0.';
    const at = Buffer.from(bytes).indexOf(key) + key.length + 2;
    expect(at).toBeGreaterThan(key.length + 2);
    expect(String.fromCharCode(bytes[at])).toMatch(/[0-9]/);
    bytes[at] ^= 1;
    writeFileSync(file, bytes);
    const o = await runMain("train", "--resume", dir, "--epochs", "3");
    expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
    expect(o.stderr).toMatch(/its checksum does not match .*: the file is damaged/);
  });

  for (const step of [0, 1e15]) {
    it(`Adam's step count ${step} is refused: it must be the batches trained (main resumed silently)`, async () => {
      // without a checksum, as a checkpoint written before checksums existed: the step check alone refuses it
      const dir = editedRun(run, `adam-step-${step}`, (s) => (s.adamStep = step));
      const o = await runMain("train", "--resume", dir, "--epochs", "3");
      expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
      // 64 pixels in batches of 16: 2 epochs of 4 batches
      expect(o.stderr).toMatch(new RegExp(`adamStep is ${step}, but 2 epochs of 4 batches and 0 more make 8`));
    });
  }

  it("a checkpoint written before checksums resumes with a one-line warning, to the same weights", async () => {
    const dir = editedRun(run, "no-checksum", () => {});
    const o = await runMain("train", "--resume", dir, "--epochs", "3", "--json");
    expect(o.code).toBe(0);
    expect(o.stderr).toMatch(/^coordnet: warning: .*checkpoint\.safetensors has no checksum .*cannot be verified; resuming all the same\n$/);
    expect(readFileSync(join(dir, "model.safetensors")).equals(readFileSync(join(straight, "model.safetensors")))).toBe(true);
    // and the checkpoint it writes has one
    expect(decodeSafeTensors(readFileSync(join(dir, "checkpoint.safetensors"))).metadata.checksum).toMatch(/^crc32:[0-9a-f]{8}$/);
  });
});

describe("every single-bit flip of a model or a checkpoint is refused or changes nothing it means", () => {
  const config = parseConfig({
    network: { width: 4, depth: 1 },
    encoding: { type: "gaussian", features: 3, sigma: 2 },
    training: { epochs: 2, batchSize: 16, seed: 5 },
  });
  const weights = initialWeights(config);
  const ramp = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => scale * (i + 1));
  const matrix = ramp(6, 0.5);
  const model = encodeModel({ config, weights, matrix }, "test");
  const checkpoint = encodeCheckpoint(
    {
      config,
      weights,
      matrix,
      optimizer: {
        step: 4,
        m: weights.flatMap((w) => [ramp(w.weight.length, 1e-3), ramp(w.bias.length, -1e-3)]),
        v: weights.flatMap((w) => [ramp(w.weight.length, 1e-4), ramp(w.bias.length, 1e-4)]),
      },
      position: {
        epoch: 1,
        next: 16,
        lossSum: 0.3,
        rngState: [5, 6, 7, 8],
        history: [{ epoch: 1, loss: 0.1, lr: 1e-3, seconds: 0.01 }],
        seconds: 0.01,
        run: { image, width: 8, height: 6, backend: "reference", snapshots: [2] },
      },
    },
    "test",
  );

  /** What a decoded file means, as comparable data (typed arrays as plain arrays). */
  const meaning = (x: unknown) => JSON.stringify(x, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));

  for (const [what, bytes, decode] of [
    ["model", model, decodeModel],
    ["checkpoint", checkpoint, decodeCheckpoint],
  ] as const) {
    it(`${what} (${bytes.length} bytes, ${8 * bytes.length} flips)`, () => {
      const original = meaning(decode(bytes, "f"));
      let refused = 0;
      let same = 0;
      for (let bit = 0; bit < 8 * bytes.length; bit++) {
        const b = Uint8Array.from(bytes);
        b[bit >> 3] ^= 1 << (bit & 7);
        let decoded: unknown;
        try {
          decoded = decode(b, "f");
        } catch (e) {
          expect(e, `bit ${bit}`).toBeInstanceOf(ModelFileError);
          expect((e as Error).message).not.toMatch(/\n/);
          refused++;
          continue;
        }
        // the only flips that may pass change the name of the checksum's key: the file is then read as one without a checksum, its contents intact
        const { unverified, ...rest } = decoded as { unverified?: boolean };
        expect(meaning(rest), `bit ${bit}`).toBe(original);
        same++;
      }
      expect(refused).toBeGreaterThan(0.99 * 8 * bytes.length);
      expect(same).toBeLessThanOrEqual(8 * "checksum".length);
    });
  }
});

describe("paper: a preset named twice is one preset", () => {
  const paper = ["paper", "--image", image, "--epochs", "1", "--backend", "reference", "--seeds", "1"];

  it("--presets relu-sigmoid,relu-sigmoid trains and reports relu-sigmoid once, from one seed (main: '2 seeds, ± 0.00')", async () => {
    const out = join(tmp, "paper");
    const o = await runMain(...paper, "--presets", "relu-sigmoid,relu-sigmoid", "--out", out);
    expect(o.code, JSON.stringify(o)).toBe(0);
    expect(o.stderr).toMatch(/^coordnet: note: --presets lists relu-sigmoid more than once; each preset runs once\n/);
    expect(o.stderr).not.toMatch(/\[2\/2\]/);
    const lines = o.stdout.split("\n").filter((l) => l.startsWith("relu-sigmoid"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ 1 seed, /);
    expect(lines[0]).not.toMatch(/±/);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toHaveLength(1);
  });

  it("a kept run whose run.json says complete with MSE null (main's record of a NaN run) is trained again, not reported", async () => {
    const out = join(tmp, "paper-nan");
    expect((await runMain(...paper, "--presets", "relu-sigmoid", "--out", out)).code).toBe(0);
    const file = join(out, "relu-sigmoid", "seed-0", "run.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), mse: null, psnr: null }));
    const o = await runMain(...paper, "--presets", "relu-sigmoid", "--out", out);
    expect(o.code, JSON.stringify(o)).toBe(0);
    expect(o.stderr).not.toMatch(/already complete, kept/);
    expect(o.stdout).toMatch(/^relu-sigmoid +PSNR \d+\.\d\d dB/m);
    expect(JSON.parse(readFileSync(file, "utf8")).mse).toBeGreaterThan(0);
  });

  it("an unknown name in --presets is refused in one line naming the flag, before any output", async () => {
    const out = join(tmp, "paper-unknown");
    const o = await runMain(...paper, "--presets", "relu-sigmoid,nope", "--out", out);
    expect(isOneLineRefusal(o), JSON.stringify(o)).toBe(true);
    expect(o.stderr).toMatch(/^coordnet: --presets: unknown preset "nope"; available: .*relu-sigmoid/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("crc32", () => {
  it("is zlib's CRC-32, whole or continued, at every length around the 8-byte step", () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 255);
    for (let n = 0; n <= 40; n++) expect(crc32(bytes.subarray(0, n)), `length ${n}`).toBe(zlibCrc32(bytes.subarray(0, n)));
    for (const cut of [0, 1, 7, 8, 13, 299, 300]) expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(zlibCrc32(bytes));
    expect(crc32(new TextEncoder().encode("123456789")).toString(16)).toBe("cbf43926");
  });
});
