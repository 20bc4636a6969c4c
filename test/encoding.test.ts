import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import {
  createEncoder,
  encodeImageGrid,
  gaussianBackward,
  gaussianForward,
  gaussianMatrix,
  normalizeCoordinate,
  pixelCoordinates,
  positionalBackward,
  positionalFeatures,
  positionalForward,
} from "../src/encoding/index.js";
import { Rng } from "../src/reference/rng.js";
import { assertClose, finiteDifferences, probeLoss, randomArray } from "./helpers.js";

// float64 central differences, h = 1e-6; the highest frequency here is 2^5·π ≈ 100 (positional)
// or 2π·|B| ≈ 60 (Gaussian, σ = 3), so truncation ≈ h²·ω³/6 ≈ 2e-7 per feature: 1e-5 absolute
// + 1e-6 relative bounds it with margin over ≤ 24 features.
const H = 1e-6;

describe("coordinate normalisation", () => {
  it("maps corners exactly to the range ends, [x, y] order, row-major samples", () => {
    expect(normalizeCoordinate(0, 512, "01")).toBe(0);
    expect(normalizeCoordinate(511, 512, "01")).toBe(1);
    expect(normalizeCoordinate(0, 512, "11")).toBe(-1);
    expect(normalizeCoordinate(511, 512, "11")).toBe(1);
    const c = pixelCoordinates(3, 2, "01", "float64");
    // sample y·W + x holds [x/(W−1), y/(H−1)]
    expect(Array.from(c)).toEqual([0, 0, 0.5, 0, 1, 0, 0, 1, 0.5, 1, 1, 1]);
    expect(Array.from(pixelCoordinates(1, 1, "11"))).toEqual([-1, -1]);
  });
});

describe("positional encoding", () => {
  it("has 20 features for L = 5 (the study) and 40 for L = 10 (NeRF)", () => {
    expect(positionalFeatures(2, { frequencies: 5, includeInput: false })).toBe(20);
    expect(positionalFeatures(2, { frequencies: 10, includeInput: false })).toBe(40);
    expect(positionalFeatures(2, { frequencies: 10, includeInput: true })).toBe(42);
  });

  it("puts sin(2ᵏπp) and cos(2ᵏπp) in NeRF's order, with π", () => {
    const out = new Float64Array(10);
    positionalForward(Float64Array.of(0.25, 0.5), out, 1, 2, { frequencies: 2, includeInput: true });
    const s = Math.sin;
    const c = Math.cos;
    const P = Math.PI;
    expect(Array.from(out)).toEqual([
      0.25,
      0.5,
      s(P * 0.25),
      s(P * 0.5),
      c(P * 0.25),
      c(P * 0.5),
      s(2 * P * 0.25),
      s(2 * P * 0.5),
      c(2 * P * 0.25),
      c(2 * P * 0.5),
    ]);
  });

  it("backward equals finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer(), (count, L, includeInput, seed) => {
        const rng = new Rng(seed);
        const opts = { frequencies: L, includeInput };
        const F = positionalFeatures(2, opts);
        const p = randomArray(count * 2, () => rng.next());
        const probe = randomArray(count * F, () => rng.next());
        const out = new Float64Array(count * F);
        const loss = () => {
          positionalForward(p, out, count, 2, opts);
          return probeLoss(out, probe);
        };
        const dp = new Float64Array(count * 2);
        positionalBackward(p, probe, dp, count, 2, opts);
        assertClose(dp, finiteDifferences(loss, p, H), 1e-5, 1e-6, "positional dp");
      }),
      { numRuns: 100 },
    );
  });
});

describe("Gaussian Fourier features", () => {
  it("are [sin(2πBp), cos(2πBp)] with B ~ N(0, σ²), seeded", () => {
    const B = gaussianMatrix(3, 2, 10, new Rng(1, "gaussian"), "float64");
    expect(Array.from(gaussianMatrix(3, 2, 10, new Rng(1, "gaussian"), "float64"))).toEqual(Array.from(B));
    const p = Float64Array.of(0.3, -0.7);
    const out = new Float64Array(6);
    gaussianForward(p, out, 1, 2, B);
    for (let r = 0; r < 3; r++) {
      const u = 2 * Math.PI * (B[2 * r] * 0.3 + B[2 * r + 1] * -0.7);
      expect(out[r]).toBeCloseTo(Math.sin(u), 12);
      expect(out[3 + r]).toBeCloseTo(Math.cos(u), 12);
    }
    const big = gaussianMatrix(20000, 1, 3, new Rng(2, "gaussian"), "float64");
    const sd = Math.sqrt(Array.from(big).reduce((s, b) => s + b * b, 0) / big.length);
    expect(Math.abs(sd - 3)).toBeLessThan(0.1); // standard error of the sd ≈ 3/√(2·20000) = 0.015
  });

  it("backward equals finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (count, m, seed) => {
        const rng = new Rng(seed);
        const B = gaussianMatrix(m, 2, 3, rng, "float64");
        const p = randomArray(count * 2, () => rng.next());
        const probe = randomArray(count * 2 * m, () => rng.next());
        const out = new Float64Array(count * 2 * m);
        const loss = () => {
          gaussianForward(p, out, count, 2, B);
          return probeLoss(out, probe);
        };
        const dp = new Float64Array(count * 2);
        gaussianBackward(p, probe, dp, count, 2, B);
        assertClose(dp, finiteDifferences(loss, p, H), 1e-5, 1e-6, "gaussian dp");
      }),
      { numRuns: 100 },
    );
  });
});

describe("createEncoder", () => {
  it("builds each encoding from a config block", () => {
    const none = createEncoder(parseConfig({}).encoding, 0);
    expect(none.features).toBe(2);
    const pos = createEncoder(parseConfig({ encoding: { type: "positional", frequencies: 10 } }).encoding, 0);
    expect(pos.features).toBe(40);
    const g1 = createEncoder(parseConfig({ encoding: { type: "gaussian", features: 16 } }).encoding, 5);
    const g2 = createEncoder(parseConfig({ encoding: { type: "gaussian", features: 16 } }).encoding, 5);
    expect(g1.features).toBe(32);
    expect(Array.from(g1.matrix ?? [])).toEqual(Array.from(g2.matrix ?? [1]));
    const grid = encodeImageGrid(pos, 4, 3);
    expect(grid.length).toBe(4 * 3 * 40);
    // pixel (x=3, y=0) is sample 3: its first feature is sin(π·1)
    expect(grid[3 * 40]).toBeCloseTo(Math.sin(Math.PI), 6);
  });
});
