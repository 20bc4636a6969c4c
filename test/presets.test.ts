import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEncoder } from "../dist/encoding/encoder.js";
import { normalizeCoordinate } from "../dist/encoding/normalize.js";
import { PRESET_FILES } from "../dist/preset-data.js";
import { loadPreset, PAPER_PRESETS, presetNames } from "../dist/presets.js";
import { stepLR } from "../dist/reference/schedule.js";

// The study's schedule, run by run (issue 12): its first runs train at a constant 1e-3; from the
// GELU, ELU and tanh runs on it says "Note that the learning rate is decayed by 50% after every
// 50 epochs", and the positional-encoding run follows them.
const QUOTE = "Note that the learning rate is decayed by 50% after every 50 epochs";
const STUDY_SCHEDULE: Record<string, "constant" | "decay"> = {
  "relu-sigmoid": "constant",
  "relu-linear": "constant",
  "relu-range11": "constant",
  gelu: "decay",
  elu: "decay",
  tanh: "decay",
  positional: "decay",
};

describe("presets follow the study", () => {
  it("the study's seven rows are the study group, in its order", () => {
    expect(PAPER_PRESETS.filter((n) => loadPreset(n).group === "study")).toEqual(Object.keys(STUDY_SCHEDULE));
  });

  it.each(Object.entries(STUDY_SCHEDULE))("%s: learning rate schedule is the study's (%s)", (name, kind) => {
    const { config, note } = loadPreset(name);
    const lrAt = (epoch: number) => stepLR(config.optimizer.lr, epoch, config.schedule.every, config.schedule.factor);
    expect(config.optimizer.lr).toBe(1e-3);
    expect(config.training.epochs).toBe(200);
    expect(config.training.batchSize).toBe(1024);
    const expected = [0, 49, 50, 99, 100, 150, 199].map((e) => (kind === "constant" ? 1e-3 : 1e-3 * 0.5 ** Math.floor(e / 50)));
    expect([0, 49, 50, 99, 100, 150, 199].map(lrAt)).toEqual(expected);
    // each note quotes the sentence it follows (the constant ones say where it appears instead)
    expect(note).toContain(QUOTE);
  });

  it("presets on disk and compiled in agree (node scripts/generate.mjs)", () => {
    const files = readdirSync("presets").filter((f) => f.endsWith(".json"));
    expect(presetNames()).toEqual(files.map((f) => f.slice(0, -5)).sort());
    for (const f of files) expect(PRESET_FILES[f.slice(0, -5)]).toEqual(JSON.parse(readFileSync(`presets/${f}`, "utf8")));
  });
});

// No encoding may map two different pixels to the same input. The classic way to do it is the
// wrap-around: a periodic feature whose period divides the span of the coordinates gives
// opposite edges the same value. The check: opposite edge pixels (left/right in a row, top/bottom
// in a column) must differ in some feature by more than float32 rounding could hide.
function edgeGap(encoding: Parameters<typeof createEncoder>[0], seed: number, size: number, other: number, at: number): number {
  const enc = createEncoder(encoding, seed);
  const a = normalizeCoordinate(0, size, encoding.range);
  const b = normalizeCoordinate(size - 1, size, encoding.range);
  const o = normalizeCoordinate(at, other, encoding.range);
  const points = Float32Array.of(a, o, b, o, o, a, o, b); // left, right, top, bottom
  const out = new Float32Array(4 * enc.features);
  enc.encode(points, out, 4);
  const gap = (i: number, j: number) => {
    let d = 0;
    for (let f = 0; f < enc.features; f++) d = Math.max(d, Math.abs(out[i * enc.features + f] - out[j * enc.features + f]));
    return d;
  };
  return Math.min(gap(0, 1), gap(2, 3));
}

// A real separation is O(1) for sin/cos features; a wrap leaves only float32 rounding (~1e-6).
const DISTINCT = 1e-3;

describe("no encoding maps opposite image edges to the same input", () => {
  const encodingPresets = presetNames().filter((n) => loadPreset(n).config.encoding.type !== "none");

  it("covers every encoding preset", () => {
    expect(encodingPresets).toEqual(expect.arrayContaining(["positional", "positional-l10", "gaussian"]));
  });

  it.each(encodingPresets)("%s: the four edges get distinct features at any image size and seed", (name) => {
    const { encoding } = loadPreset(name).config;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4096 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.nat(),
        fc.integer({ min: 0, max: 1000 }),
        (size, other, at, seed) => edgeGap(encoding, seed, size, other, at % other) > DISTINCT,
      ),
      { numRuns: 200 },
    );
  });

  it("the check catches the wrap-around: positional encoding on [−1,1] sends both edges to one input", () => {
    const wrapped = { ...loadPreset("positional").config.encoding, range: "11" as const };
    expect(edgeGap(wrapped, 0, 256, 256, 100)).toBeLessThan(DISTINCT);
  });
});
