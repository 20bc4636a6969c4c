import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EncodedOnDemand } from "../dist/encoding/inputs.js";
import { holdoutSplit } from "../dist/holdout.js";
import { fit as fitImage, Model } from "../dist/index.js";
import { decodeSafeTensors, encodeSafeTensors } from "../dist/io/safetensors.js";
import { startSession, trainOneEpoch } from "../dist/training/loop.js";
import { advanceSape } from "../dist/training/sape.js";
import { parseConfig } from "../src/config.js";
import {
  createEncoder,
  gaussianMatrix,
  sapeAdvance,
  sapeBackward,
  sapeCellErrors,
  sapeForward,
  sapeInitialState,
  sapeMask,
  sapeMaskBackward,
  sapeMaskForward,
  sapeParts,
} from "../src/encoding/index.js";
import { Rng } from "../src/reference/rng.js";
import { assertClose, finiteDifferences, probeLoss, randomArray } from "./helpers.js";

// float64 central differences, h = 1e-6; 2π·|B| ≤ about 60 at σ = 3, so the truncation error
// h²·ω³/6 ≈ 4e-8 per feature: 1e-5 absolute + 1e-6 relative bounds it with margin (as the
// Gaussian encoding's own test).
const H = 1e-6;

/** A state of m bands on a G × G grid whose progressions are `progress` (row-major [G][G]). */
function stateWith(m: number, G: number, progress: number[]): Float32Array {
  const state = sapeInitialState({ features: m, grid: G }, 3, new Rng(1, "gaussian"));
  sapeParts(state, { features: m, grid: G }).progress.set(progress);
  return state;
}

describe("SAPE's mask", () => {
  it("is [count][m], opens band i as the progression passes i (a soft step), and never closes a band as P grows", () => {
    const m = 6;
    const alphaAt = (P: number) => {
      const alpha = new Float64Array(m);
      sapeMask(Float64Array.of(0.4, 0.6), 1, stateWith(m, 1, [P]), { features: m, grid: 1 }, "01", alpha);
      return Array.from(alpha);
    };
    expect(alphaAt(0)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(alphaAt(2.5)).toEqual([1, 1, 0.5, 0, 0, 0]);
    expect(alphaAt(6)).toEqual([1, 1, 1, 1, 1, 1]);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 6, noNaN: true }), fc.double({ min: 0, max: 6, noNaN: true }), (a, b) => {
        const [lo, hi] = [alphaAt(Math.min(a, b)), alphaAt(Math.max(a, b))];
        for (let i = 0; i < m; i++) {
          expect(hi[i]).toBeGreaterThanOrEqual(lo[i]); // monotonic in P
          if (i > 0) expect(lo[i]).toBeLessThanOrEqual(lo[i - 1]); // lower bands open first
        }
      }),
    );
  });

  it("interpolates the progression bilinearly between cell centres, constant beyond the outer ones", () => {
    // 2 × 2 grid, P = [0, 4; 8, 12]: centres at ¼ and ¾
    const state = stateWith(16, 2, [0, 4, 8, 12]);
    const P = (x: number, y: number) => {
      const alpha = new Float64Array(16);
      sapeMask(Float64Array.of(x, y), 1, state, { features: 16, grid: 2 }, "01", alpha);
      return alpha.reduce((s, a) => s + a, 0); // Σ α_i = P while 0 ≤ P ≤ m
    };
    expect(P(0.25, 0.25)).toBeCloseTo(0, 12);
    expect(P(0.75, 0.25)).toBeCloseTo(4, 12);
    expect(P(0.5, 0.5)).toBeCloseTo(6, 12);
    expect(P(0, 1)).toBeCloseTo(8, 12);
    expect(P(0.5, 0.25)).toBeCloseTo(2, 12);
  });
});

describe("SAPE's progression", () => {
  it("keeps a band locked where the error is at most ε, and advances where it is above", () => {
    const shape = { features: 8, grid: 2 };
    const state = sapeInitialState(shape, 3, new Rng(0, "gaussian"));
    // cell errors: left column below ε, right column above
    const errors = Float64Array.of(1e-4, 0.05, 1e-4, 0.05);
    for (let k = 0; k < 3; k++) sapeAdvance(state, shape, errors, 1e-3, 2);
    const { progress, going } = sapeParts(state, shape);
    expect(Array.from(progress)).toEqual([0, 6, 0, 6]);
    expect(Array.from(going)).toEqual([0, 1, 0, 1]);
    // a cell that stopped stays stopped even if its error rises again (the authors' rule)
    sapeAdvance(state, shape, Float64Array.of(1, 1, 1, 1), 1e-3, 2);
    expect(Array.from(progress)).toEqual([0, 8, 0, 8]);
    // at a point in the stopped column every band is locked: only the coordinates reach the network
    const out = new Float64Array(2 + 16);
    const alpha = new Float64Array(8);
    sapeMask(Float64Array.of(0.1, 0.5), 1, state, shape, "01", alpha);
    sapeForward(Float64Array.of(0.1, 0.5), sapeParts(state, shape).B, alpha, out, 1);
    expect(out.subarray(2).every((v) => v === 0)).toBe(true); // (0 or −0: α·sin with α = 0)
  });

  it("averages each cell's errors with its neighbours' (a 3 × 3 box), per sample", () => {
    // 3 × 3 grid on [0,1]: one sample in the centre cell (error 9) and one in the corner cell (0, 0) (error 1)
    const coords = Float64Array.of(0.5, 0.5, 0.05, 0.05);
    const e = sapeCellErrors(coords, Float64Array.of(9, 1), 3, "01");
    expect(e[0]).toBe(5); // corner: both samples in its 2 × 2 neighbourhood
    expect(e[4]).toBe(5);
    expect(e[8]).toBe(9); // opposite corner sees only the centre
    const lonely = sapeCellErrors(Float64Array.of(0.05, 0.05), Float64Array.of(1), 4, "01");
    expect(Number.isNaN(lonely[15])).toBe(true); // nothing around: unknown, and such a cell keeps going
  });

  it("trained on an image half flat, half detailed, unlocks fewer bands on the flat half (reference, bit-reproducible from the seed)", async () => {
    // 32 × 32: left half a constant grey, right half a fine checkerboard
    const W = 32;
    const data = new Float32Array(W * W * 3);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) data.fill(x < W / 2 ? 0.5 : (x + y) % 2, 3 * (y * W + x), 3 * (y * W + x) + 3);
    const image = { width: W, height: W, data };
    const config = parseConfig({
      encoding: { type: "sape", features: 16, sigma: 3, grid: 8, epsilon: 1e-3, unlockBy: 0.5 },
      network: { width: 32, depth: 2 },
      training: { epochs: 12, batchSize: 256, seed: 3 },
    });
    const run = () => fitImage(image, { config, backend: "reference" });
    const [a, b] = [await run(), await run()];
    const shape = { features: 16, grid: 8 };
    const { progress, going } = sapeParts(a.matrix as Float32Array, shape);
    // cells (gx, gy), gx < 3 see only the flat half through their 3 × 3 average; gx ≥ 4 are in the checkerboard
    const cells = (keep: (gx: number) => boolean) => Array.from(progress).filter((_, c) => keep(c % 8));
    const flat = cells((gx) => gx < 3);
    const detailed = cells((gx) => gx >= 4);
    expect(Math.max(...flat)).toBeLessThan(Math.min(...detailed));
    expect(detailed.every((p) => p === 16)).toBe(true); // the checkerboard never gets under ε
    expect(
      Array.from(going)
        .filter((_, c) => c % 8 < 3)
        .every((g) => g === 0),
    ).toBe(true); // the flat cells stopped
    // the same seed gives the same bits: state and weights
    expect(Buffer.from((b.matrix as Float32Array).buffer).equals(Buffer.from((a.matrix as Float32Array).buffer))).toBe(true);
    for (let l = 0; l < a.weights.length; l++) expect(Buffer.from(b.weights[l].weight.buffer).equals(Buffer.from(a.weights[l].weight.buffer))).toBe(true);
    // and the model file carries the state: a reloaded model predicts the same colours
    const copy = Model.fromSafetensors(a.toSafetensors());
    expect(Array.from(copy.matrix as Float32Array)).toEqual(Array.from(a.matrix as Float32Array));
    expect(copy.predict(0.2, 0.7)).toEqual(a.predict(0.2, 0.7));
    expect(copy.predict(0.9, 0.1)).toEqual(a.predict(0.9, 0.1));
    // a file without the progressions is refused in one line (without its checksum, so the check that names the tensor speaks)
    const file = decodeSafeTensors(a.toSafetensors());
    file.tensors.delete("encoding.progress");
    const { checksum: _, ...metadata } = file.metadata;
    expect(() => Model.fromSafetensors(encodeSafeTensors(file.tensors, metadata))).toThrow(/tensor encoding\.progress is missing or is not \[8, 8\]/);
  });

  // The progression reads the network's error per cell: with a holdout only the training pixels'
  // errors may steer it, or the held-out colours would reach the model through the mask. Noise in
  // the held-out pixels must leave weights and state bit-identical; a changed training pixel must
  // not (so the check is not vacuous). Both input paths: stored (masked in place) and on demand.
  it("with held-out pixels, only the training pixels steer the mask (stored inputs and on demand)", async () => {
    const W = 12;
    const data = new Float32Array(W * W * 3);
    for (let k = 0; k < W * W; k++) data.fill(k % W < W / 2 ? 0.5 : ((k % W) + Math.floor(k / W)) % 2, 3 * k, 3 * k + 3);
    const config = parseConfig({
      encoding: { type: "sape", features: 8, sigma: 3, grid: 4, epsilon: 1e-3, unlockBy: 0.5 },
      network: { width: 16, depth: 1 },
      training: { epochs: 4, batchSize: 16, seed: 2, holdout: 0.5 },
      optimizer: { lr: 1e-2 },
    });
    const { train, test } = holdoutSplit(0.5, W, W, 2);
    const trainedOn = async (pixels: Float32Array, storedInputsMaxBytes: number) => {
      const session = await startSession({ config, image: { width: W, height: W, data: pixels }, backend: "reference", storedInputsMaxBytes });
      try {
        // a stored copy is every pixel's: 12 × 12 × 18 features × 4 bytes = 10368 (the 72 training
        // pixels' would be 5184, so 8000 bytes must encode on demand)
        expect(session.inputs instanceof EncodedOnDemand).toBe(storedInputsMaxBytes < 10368);
        while (session.state.epoch < 4) await trainOneEpoch(session);
        const weights = (await session.trainer.getWeights()).flatMap((l) => [...l.weight, ...l.bias]);
        return { weights, state: Array.from(session.encoder.matrix as Float32Array) };
      } finally {
        await session.trainer.dispose();
      }
    };
    const noisy = data.slice();
    for (const k of test) for (let c = 0; c < 3; c++) noisy[k * 3 + c] = ((k * 7 + c * 3) % 11) / 10;
    const changed = data.slice();
    changed[train[0] * 3] = changed[train[0] * 3] > 0.5 ? 0 : 1;
    for (const bytes of [1 << 20, 8000]) {
      const clean = await trainedOn(data, bytes);
      // the progression moved: otherwise an equal state says nothing
      expect(sapeParts(Float32Array.from(clean.state), { features: 8, grid: 4 }).progress.some((p) => p > 0)).toBe(true);
      expect(await trainedOn(noisy, bytes)).toEqual(clean);
      expect((await trainedOn(changed, bytes)).weights).not.toEqual(clean.weights);
    }
  });

  // With held-out pixels the update predicts the training samples alone (a quarter of them with
  // every-other): on demand through an encoder over their points, stored a block of 8192 gathered
  // rows at a time. Its predictions, and so the errors and the progressions, must be bit for bit
  // those of predicting every sample and keeping the training ones' (what it did before).
  it.each(["reference", "wasm"])(
    "with held-out pixels, the update predicts the training samples only, bit-identical to predicting every sample (%s)",
    async (backend) => {
      // 192²: every-other trains on 96² = 9216 samples, more than one block of stored rows
      const W = 192;
      const data = new Float32Array(W * W * 3);
      for (let k = 0; k < W * W; k++) data.fill(k % W < W / 2 ? 0.5 : ((k % W) + Math.floor(k / W)) % 2, 3 * k, 3 * k + 3);
      const shape = { features: 8, grid: 8 };
      const config = parseConfig({
        encoding: { type: "sape", ...shape, sigma: 3, epsilon: 1e-2, unlockBy: 0.5 },
        network: { width: 16, depth: 1 },
        training: { epochs: 4, batchSize: 1024, seed: 1, holdout: "every-other" },
        optimizer: { lr: 1e-2 },
      });
      const N = W * W;
      // stored: every pixel's 18 features, 2.65 MB; 1 MB encodes on demand
      for (const bytes of [8 << 20, 1 << 20]) {
        const session = await startSession({ config, image: { width: W, height: W, data }, backend, storedInputsMaxBytes: bytes });
        try {
          expect(session.trainer.info.backend).toBe(backend);
          expect(session.inputs instanceof EncodedOnDemand).toBe(bytes < N * 18 * 4);
          await trainOneEpoch(session);
          const train = session.split?.train as Uint32Array;
          expect(train.length).toBe(9216);
          // the update as it was: every sample predicted, the training samples' errors kept
          const all = await session.trainer.predict(session.inputs, N);
          const kept = new Float32Array(3 * train.length);
          const points = new Float32Array(2 * train.length);
          const errors = new Float32Array(train.length);
          const coords = session.sape?.coords as Float32Array;
          train.forEach((t, k) => {
            kept.set(all.subarray(3 * t, 3 * t + 3), 3 * k);
            points.set(coords.subarray(2 * t, 2 * t + 2), 2 * k);
            let s = 0;
            for (let c = 0; c < 3; c++) s += (all[3 * t + c] - data[3 * t + c]) ** 2;
            errors[k] = s / 3;
          });
          const expected = Float32Array.from(session.encoder.matrix as Float32Array);
          sapeAdvance(expected, shape, sapeCellErrors(points, errors, 8, "01"), 1e-2, 8 / 2);
          // the update now, through a trainer that counts and keeps what it is asked to predict
          const asked: Float32Array[] = [];
          let count = 0;
          const counting = {
            predict: async (inputs: unknown, n: number) => {
              count += n;
              const p = await session.trainer.predict(inputs as Parameters<typeof session.trainer.predict>[0], n);
              asked.push(p);
              return p;
            },
          } as unknown as typeof session.trainer;
          expect(await advanceSape(session.sape as NonNullable<typeof session.sape>, counting, session.inputs, session.targets, 4, train)).toBe(true);
          expect(count).toBe(train.length);
          const got = new Float32Array(asked.reduce((a, p) => a + p.length, 0));
          let at = 0;
          for (const p of asked) {
            got.set(p, at);
            at += p.length;
          }
          expect(Buffer.from(got.buffer).equals(Buffer.from(kept.buffer))).toBe(true);
          const state = session.encoder.matrix as Float32Array;
          expect(Buffer.from(state.buffer, state.byteOffset, state.byteLength).equals(Buffer.from(expected.buffer))).toBe(true);
          // the errors decided something: some cells stopped (the flat half) and some went on
          const { going } = sapeParts(expected, shape);
          expect(going.includes(0) && going.includes(1)).toBe(true);
        } finally {
          await session.trainer.dispose();
        }
      }
    },
    120_000,
  );

  it("draws the gaussian preset's B from the seed, rows sorted by norm", () => {
    const config = parseConfig({ encoding: { type: "sape", features: 32, sigma: 10 } }).encoding;
    const s1 = createEncoder(config, 7).matrix as Float32Array;
    const s2 = createEncoder(config, 7).matrix as Float32Array;
    expect(Array.from(s2)).toEqual(Array.from(s1));
    expect(Array.from(createEncoder(config, 8).matrix as Float32Array)).not.toEqual(Array.from(s1));
    const norms = Array.from({ length: 32 }, (_, r) => Math.hypot(s1[2 * r], s1[2 * r + 1]));
    for (let r = 1; r < 32; r++) expect(norms[r]).toBeGreaterThanOrEqual(norms[r - 1]);
    // the same rows as the gaussian encoding's draw, only reordered
    const g = createEncoder(parseConfig({ encoding: { type: "gaussian", features: 32, sigma: 10 } }).encoding, 7).matrix as Float32Array;
    const rows = (a: Float32Array) => Array.from({ length: 32 }, (_, r) => `${a[2 * r]},${a[2 * r + 1]}`).sort();
    expect(rows(s1.subarray(0, 64))).toEqual(rows(g));
  });

  it("refuses a state whose progressions or going flags are out of range, as the model files do", () => {
    const config = parseConfig({ encoding: { type: "sape", features: 4, sigma: 3, grid: 2 } }).encoding;
    const fresh = () => Float32Array.from(createEncoder(config, 1).matrix as Float32Array);
    expect(createEncoder(config, 1, fresh()).features).toBe(2 + 2 * 4);
    for (const [part, value, message] of [
      ["progress", 4.25, "progress[1] is 4.25: a progression is a number of bands from 0 to 4"],
      ["progress", -0.5, "progress[1] is -0.5"],
      ["progress", Number.NaN, "progress[1] is NaN"],
      ["going", 0.5, "going[1] is 0.5: a going flag is 0 (stopped) or 1 (going)"],
    ] as const) {
      const state = fresh();
      sapeParts(state, { features: 4, grid: 2 })[part][1] = value;
      expect(() => createEncoder(config, 1, state)).toThrow(message);
    }
  });
});

describe("SAPE's backward", () => {
  it("masked features: ∂(α·γ)/∂γ = α, by finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (count, m, seed) => {
        const rng = new Rng(seed);
        const F = 2 + 2 * m;
        const gamma = randomArray(count * F, () => rng.next());
        const alpha = randomArray(count * m, () => rng.next(), 0, 1);
        const probe = randomArray(count * F, () => rng.next());
        const out = new Float64Array(count * F);
        const loss = () => {
          sapeMaskForward(gamma, alpha, out, count, m);
          return probeLoss(out, probe);
        };
        const dGamma = new Float64Array(count * F);
        sapeMaskBackward(alpha, probe, dGamma, count, m);
        assertClose(dGamma, finiteDifferences(loss, gamma, H), 1e-7, 1e-7, "SAPE dγ");
      }),
      { numRuns: 50 },
    );
  });

  it("coordinates, the mask held fixed: equals finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (count, m, seed) => {
        const rng = new Rng(seed);
        const B = gaussianMatrix(m, 2, 3, rng, "float64");
        const F = 2 + 2 * m;
        const p = randomArray(count * 2, () => rng.next());
        const alpha = randomArray(count * m, () => rng.next(), 0, 1);
        const probe = randomArray(count * F, () => rng.next());
        const out = new Float64Array(count * F);
        const loss = () => {
          sapeForward(p, B, alpha, out, count);
          return probeLoss(out, probe);
        };
        const dp = new Float64Array(count * 2);
        sapeBackward(p, B, alpha, probe, dp, count);
        assertClose(dp, finiteDifferences(loss, p, H), 1e-5, 1e-6, "SAPE dp");
      }),
      { numRuns: 100 },
    );
  });

  it("coordinates, through the encoder, where the progression is flat (so the mask does not move with p): equals finite differences", () => {
    // one cell: P is the same everywhere, so encoder.encode is a function of p alone
    const config = parseConfig({ encoding: { type: "sape", features: 8, sigma: 3, grid: 1 } }).encoding;
    const encoder = createEncoder(config, 4);
    const state = encoder.matrix as Float32Array;
    sapeParts(state, { features: 8, grid: 1 }).progress[0] = 4.5;
    const rng = new Rng(11);
    const p = randomArray(6, () => rng.next(), 0, 1);
    const probe = randomArray(3 * 18, () => rng.next());
    const out = new Float64Array(3 * 18);
    const loss = () => {
      encoder.encode(p, out, 3);
      return probeLoss(out, probe);
    };
    const alpha = new Float64Array(3 * 8);
    sapeMask(p, 3, state, { features: 8, grid: 1 }, "01", alpha);
    const dp = new Float64Array(6);
    sapeBackward(p, sapeParts(state, { features: 8, grid: 1 }).B, alpha, probe, dp, 3);
    assertClose(dp, finiteDifferences(loss, p, H), 1e-5, 1e-6, "SAPE encoder dp");
  });
});
