import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../dist/config.js";
import { saveCheckpoint, saveModel } from "../dist/io/model-file.js";
import { decodeSafeTensors, encodeSafeTensors } from "../dist/io/safetensors.js";
import { initialWeights } from "../dist/network.js";
import { type Outcome, runMain } from "./cli-inprocess.js";
import { assemblePNG, chunk, makePNG, patternPNG, scanlines, zeroStream } from "./png-helpers.js";

// Issue 10 item 9 (file formats): mutated PNGs, safetensors models and checkpoints through the
// command line's entry. Whatever the bytes, the outcome is exit 0, or exit 2 with one
// `coordnet:` line — never exit 1 with a raw JavaScript message — and nothing outside --out
// changes. Run counts keep the file under ~30 s on two cores.

const root = mkdtempSync(join(tmpdir(), "coordnet-fuzz-"));

/** Every file under `dir` with its size and modification time, except under `skip`. */
function snapshot(dir: string, skip: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => !join(dir, f).startsWith(skip))
    .flatMap((f) => {
      const s = statSync(join(dir, f));
      return s.isFile() ? [`${f} ${s.size} ${s.mtimeMs}`] : []; // a folder's mtime changes when --out is made in it
    })
    .sort();
}

const seen: number[] = [];

function expectAcceptableOutcome(o: Outcome): void {
  seen.push(o.code);
  const detail = JSON.stringify(o).slice(0, 400);
  if (o.code === 0) return;
  expect(o.code, detail).toBe(2);
  expect(o.stderr, detail).toMatch(/^coordnet: [^\n]+\n$/);
  expect(o.stderr, detail).not.toMatch(/TypeError|RangeError|Cannot read|undefined|is not a function|Maximum call stack|allocation failed/);
}

/** The property was not vacuous: some mutants ran (exit 0) and some were refused (exit 2). */
function expectBothOutcomes(): void {
  expect(seen).toContain(0);
  expect(seen).toContain(2);
  seen.length = 0;
}

/** Recompute the CRC of every chunk, so that a mutation reaches the decoder instead of the CRC check. */
function fixCRCs(png: Uint8Array): Uint8Array {
  const out = Uint8Array.from(png);
  const dv = new DataView(out.buffer);
  let at = 8;
  while (at + 12 <= out.length) {
    const length = dv.getUint32(at);
    if (at + 12 + length > out.length) break;
    dv.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return out;
}

const seeds: Uint8Array[] = [
  patternPNG(8, 6),
  makePNG({
    width: 7,
    height: 5,
    depth: 4,
    ctype: 3,
    samples: Array.from({ length: 35 }, (_, i) => i % 3),
    palette: [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ],
    trns: [128],
  }),
  makePNG({
    width: 6,
    height: 6,
    depth: 16,
    ctype: 6,
    samples: Array.from({ length: 144 }, (_, i) => (i * 4099) % 65536),
    interlace: true,
    filter: (r) => r % 5,
  }),
  makePNG({ width: 9, height: 4, depth: 2, ctype: 0, samples: Array.from({ length: 36 }, (_, i) => i % 4), filter: () => 4 }),
];

const mutation = fc.oneof(
  // unchanged: the control, which must train
  fc.record({ kind: fc.constant("none" as const) }),
  // flip bits in any byte after the signature, CRCs fixed so the decoder sees it
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
    count: fc.integer({ min: 1, max: 4 }),
    fix: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  // a chunk length, the width or the height set to something else (CRC fixed)
  fc.record({
    kind: fc.constant("field" as const),
    which: fc.constantFrom(8, 16, 20, 33),
    value: fc.oneof(fc.nat(64), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 1 << 20)),
  }),
  // the image data replaced by a small bomb
  fc.record({ kind: fc.constant("bomb" as const), mib: fc.integer({ min: 1, max: 24 }), split: fc.integer({ min: 1, max: 4 }) }),
);

function apply(
  seed: Uint8Array,
  m:
    | { kind: "flip"; at: number; xor: number; count: number; fix: boolean }
    | { kind: "truncate"; at: number }
    | { kind: "field"; which: number; value: number }
    | { kind: "bomb"; mib: number; split: number }
    | { kind: "none" },
): Uint8Array {
  const png = Uint8Array.from(seed);
  switch (m.kind) {
    case "none":
      return png;
    case "flip":
      for (let k = 0; k < m.count; k++) png[8 + ((m.at + 7919 * k) % (png.length - 8))] ^= m.xor;
      return m.fix ? fixCRCs(png) : png;
    case "truncate":
      return png.subarray(0, m.at % png.length);
    case "field":
      new DataView(png.buffer).setUint32(m.which, m.value >>> 0);
      return fixCRCs(png);
    case "bomb": {
      const dv = new DataView(png.buffer);
      const h = { width: dv.getUint32(16), height: dv.getUint32(20), depth: png[24], ctype: png[25], interlace: png[28] };
      const z = zeroStream(m.mib);
      const step = Math.ceil(z.length / m.split);
      const parts = Array.from({ length: m.split }, (_, i) => z.subarray(i * step, (i + 1) * step));
      const plte = h.ctype === 3 ? [chunk("PLTE", new Uint8Array(768))] : [];
      return assemblePNG(h, parts, plte);
    }
  }
}

describe("fuzz: mutated PNGs through `coordnet train`", () => {
  it("exit 0 or a one-line exit 2; nothing outside --out touched", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds.keys()), mutation, async (s, m) => {
        const dir = join(root, `png-${run++}`);
        mkdirSync(dir);
        const file = join(dir, "in.png");
        writeFileSync(file, apply(seeds[s], m));
        const out = join(dir, "out");
        const before = snapshot(root, out);
        const o = await runMain(
          "train",
          "--image",
          file,
          "--epochs",
          "1",
          "--width",
          "4",
          "--depth",
          "1",
          "--batch-size",
          "16",
          "--backend",
          "reference",
          "--out",
          out,
          "--json",
        );
        expectAcceptableOutcome(o);
        if (o.code === 2) expect(readdirSync(dir)).toEqual(["in.png"]); // refused before any output
        expect(snapshot(root, out)).toEqual(before);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 120 },
    );
    expectBothOutcomes();
  });
});

// one small network, its model file and a checkpoint part-way through its second epoch
const config = parseConfig({ network: { width: 4, depth: 1 }, training: { epochs: 2, batchSize: 16, seed: 5 } });
const weights = initialWeights(config);
const imageFile = join(root, "pattern.png");
writeFileSync(imageFile, patternPNG(8, 6));
const model = join(root, "model.safetensors");
saveModel(model, { config, weights, matrix: null }, "test");
const checkpointFile = join(root, "checkpoint.safetensors");
const zeros = () => weights.flatMap((w) => [new Float32Array(w.weight.length), new Float32Array(w.bias.length)]);
saveCheckpoint(
  checkpointFile,
  {
    config,
    weights,
    matrix: null,
    optimizer: { step: 4, m: zeros(), v: zeros() }, // 3 batches in epoch 1, 1 in epoch 2
    position: {
      epoch: 1,
      next: 16,
      lossSum: 0.3,
      rngState: [5, 6, 7, 8],
      history: [{ epoch: 1, loss: 0.1, lr: 1e-3, seconds: 0.01 }],
      seconds: 0.01,
      run: { image: imageFile, width: 8, height: 6, backend: "reference", snapshots: [2] },
    },
  },
  "test",
);
// Both without their checksum, as files written before checksums were: a mutant the decoder and
// the checks accept then runs (exit 0) instead of being refused by the checksum, which every
// changed byte fails (test/hostile-results.test.ts flips every bit of such files).
for (const file of [model, checkpointFile]) {
  const { tensors, metadata } = decodeSafeTensors(readFileSync(file));
  delete metadata.checksum;
  writeFileSync(file, encodeSafeTensors(tensors, metadata));
}

const byteMutation = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
    count: fc.integer({ min: 1, max: 3 }),
    fix: fc.constant(false),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  // one byte of the tensor data alone: a file without a checksum keeps its header, so such a
  // mutant often runs (another weight) and sometimes is refused (NaN, ∞, a negative second moment)
  fc.record({ kind: fc.constant("data" as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  // the header length, or a byte inside the JSON header (offsets, shapes, dtype, metadata)
  fc.record({ kind: fc.constant("field" as const), which: fc.constantFrom(0, 4), value: fc.oneof(fc.nat(4096), fc.constantFrom(0, 0xffffffff)) }),
);

function mutateBytes(
  bytes: Uint8Array,
  m:
    | { kind: "flip"; at: number; xor: number; count: number }
    | { kind: "truncate"; at: number }
    | { kind: "data"; at: number; xor: number }
    | { kind: "field"; which: number; value: number },
): Uint8Array {
  const b = Uint8Array.from(bytes);
  if (m.kind === "truncate") return b.subarray(0, m.at % b.length);
  if (m.kind === "data") {
    const start = 8 + Number(new DataView(b.buffer).getBigUint64(0, true));
    b[start + (m.at % (b.length - start))] ^= m.xor;
    return b;
  }
  if (m.kind === "field") {
    new DataView(b.buffer).setUint32(m.which, m.value >>> 0, true);
    return b;
  }
  // flips land in the header (JSON) half the time, in the tensor data otherwise
  const n = Number(new DataView(b.buffer).getBigUint64(0, true));
  for (let k = 0; k < m.count; k++) {
    const at = (m.at + 104729 * k) % b.length;
    b[k % 2 === 0 ? 8 + (at % n) : at] ^= m.xor;
  }
  return b;
}

describe("fuzz: mutated safetensors", () => {
  it("render of a mutated model file: exit 0 or a one-line exit 2", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(byteMutation, async (m) => {
        const dir = join(root, `model-${run++}`);
        mkdirSync(dir);
        const file = join(dir, "model.safetensors");
        writeFileSync(file, mutateBytes(readFileSync(model), m));
        const before = snapshot(root, join(dir, "out.png"));
        const o = await runMain("render", file, "--size", "5x4", "--out", join(dir, "out.png"), "--backend", "reference");
        expectAcceptableOutcome(o);
        expect(snapshot(root, join(dir, "out.png"))).toEqual(before);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 150 },
    );
    expectBothOutcomes();
  });

  // a field of the training state replaced by any JSON value, or the file's bytes mutated
  const stateFields = [
    "epoch",
    "next",
    "lossSum",
    "rngState",
    "history",
    "seconds",
    "run",
    "adamStep",
    "run.width",
    "run.height",
    "run.image",
    "run.snapshots",
    "run.backend",
  ];
  const stateMutation = fc.record({ field: fc.constantFrom(...stateFields), value: fc.jsonValue({ maxDepth: 3 }) });

  it("train --resume of a mutated checkpoint: exit 0 or a one-line exit 2, nothing outside its folder touched", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(stateMutation, byteMutation), async (m) => {
        const dir = join(root, `resume-${run++}`);
        mkdirSync(dir);
        const file = join(dir, "checkpoint.safetensors");
        let bytes = readFileSync(checkpointFile) as Uint8Array;
        if ("field" in m && typeof m.field === "string") {
          const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
          const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
          const state = JSON.parse(header.__metadata__.state);
          const [a, b] = m.field.split(".");
          if (b === undefined) state[a] = m.value;
          else state[a][b] = m.value;
          header.__metadata__.state = JSON.stringify(state);
          const json = Buffer.from(JSON.stringify(header));
          const length = Buffer.alloc(8);
          length.writeBigUInt64LE(BigInt(json.length));
          bytes = Buffer.concat([length, json, bytes.subarray(8 + n)]);
        } else bytes = mutateBytes(bytes, m as Parameters<typeof mutateBytes>[1]);
        writeFileSync(file, bytes);
        const before = snapshot(root, dir);
        const o = await runMain("train", "--resume", dir, "--json");
        expectAcceptableOutcome(o);
        expect(snapshot(root, dir)).toEqual(before);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 150 },
    );
    expectBothOutcomes();
  });
});

describe("fuzz: bombs in a child process under a 2 GB address-space ceiling", () => {
  it("every bomb (any header, IDAT split any way, or in APNG frames) is refused or decoded with memory bounded by its header", () => {
    const dir = join(root, "bombs");
    mkdirSync(dir);
    const files = fc
      .sample(
        fc.record({
          width: fc.integer({ min: 1, max: 3000 }),
          height: fc.integer({ min: 1, max: 3000 }),
          type: fc.constantFrom([8, 2], [16, 6], [1, 0], [8, 3], [4, 3]),
          interlace: fc.constantFrom(0, 1),
          mib: fc.integer({ min: 64, max: 512 }),
          split: fc.integer({ min: 1, max: 3 }),
          apng: fc.boolean(),
        }),
        { numRuns: 6, seed: 10 },
      )
      .map((b, i) => {
        const h = { width: b.width, height: b.height, depth: b.type[0], ctype: b.type[1], interlace: b.interlace };
        const z = zeroStream(b.mib);
        const step = Math.ceil(z.length / b.split);
        const parts = Array.from({ length: b.split }, (_, k) => z.subarray(k * step, (k + 1) * step));
        const plte = h.ctype === 3 ? [chunk("PLTE", new Uint8Array(768))] : [];
        let png: Uint8Array;
        if (b.apng) {
          // a valid default image, the bomb in an animation frame
          const samples = new Array(b.width * b.height * (h.ctype === 6 ? 4 : h.ctype === 2 ? 3 : 1)).fill(0);
          const good = assemblePNG(h, Buffer.from(deflateSync(scanlines({ ...h, samples, interlace: h.interlace === 1 }))), plte);
          const fdat = Buffer.concat([new Uint8Array(4), z]);
          png = Buffer.concat([good.subarray(0, good.length - 12), chunk("fcTL", new Uint8Array(26)), chunk("fdAT", fdat), good.subarray(good.length - 12)]);
        } else png = assemblePNG(h, parts, plte);
        const file = join(dir, `bomb-${i}.png`);
        writeFileSync(file, png);
        return { file, apng: b.apng };
      });
    const script = join(dir, "run.mjs");
    writeFileSync(
      script,
      `import { main } from ${JSON.stringify(join(process.cwd(), "dist", "cli", "main.js"))};
const results = [];
for (const file of process.argv.slice(2)) {
  let stderr = "";
  const error = console.error;
  console.error = (...a) => { stderr += a.join(" ") + "\\n"; };
  const log = console.log;
  console.log = () => {};
  const code = await main(["node", "coordnet", "train", "--image", file, "--epochs", "0", "--width", "2", "--depth", "1", "--backend", "reference", "--out", file + ".out"]);
  console.error = error;
  console.log = log;
  results.push({ file, code, stderr, rss: process.memoryUsage().rss });
}
process.stdout.write(JSON.stringify(results));
`,
    );
    const r = spawnSync(
      "bash",
      ["-c", `ulimit -v 2000000; exec "${process.execPath}" --max-old-space-size=512 "${script}" ${files.map((f) => `"${f.file}"`).join(" ")}`],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { file: string; code: number; stderr: string; rss: number }[];
    expect(results).toHaveLength(files.length);
    results.forEach((res, i) => {
      if (files[i].apng) expect([0, 2]).toContain(res.code);
      else {
        expect(res.code, res.stderr).toBe(2);
        expect(res.stderr).toMatch(/^coordnet: .*bomb-\d+\.png: (corrupt PNG: its image data inflates to more than|image is .*above the limit)[^\n]*\n$/);
      }
      expect(res.rss).toBeLessThan(1.5 * 2 ** 30);
    });
  });
});
