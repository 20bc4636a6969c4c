import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReferenceTrainer } from "../dist/backends/reference.js";
import type { LayerWeights, TrainerOptions } from "../dist/backends/types.js";
import { DERIVATIVE_FROM_A, WASM_ACTIVATIONS } from "../dist/backends/wasm/module.js";
import { cut } from "../dist/backends/wasm/parallel.js";
import { WasmTrainer, type WasmTrainerOptions } from "../dist/backends/wasm/trainer.js";
import { parseConfig } from "../dist/config.js";
import { createEncoder, imageInputs } from "../dist/encoding/index.js";
import { pixelCoordinates } from "../dist/encoding/normalize.js";
import { initialWeights, networkSpec } from "../dist/network.js";
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName, relu, reluGrad } from "../dist/reference/activations/index.js";
import { adamCorrections, adamStep, createAdamState } from "../dist/reference/adam.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";

// The wasm backend's kernels on their own, both builds as built: plain SIMD (kernels.wasm) and
// relaxed SIMD with fused multiply-adds (kernels-fma.wasm; the trainer turns Node 20's flag for it on).
interface KernelExports {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, bias: number, act: number, aOut: number, dIn: number): void;
  gemmNT(A: number, B: number, C: number, R: number, K: number, N: number, bias: number): void;
  transpose(M: number, T: number, R: number, N: number, ldM: number, sums: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number): void;
  activationForward(kind: number, z: number, a: number, n: number): void;
  activationBackward(kind: number, d: number, da: number, dz: number, n: number): void;
  positionalEncode(points: number, out: number, n: number, L: number, includeInput: number): void;
  gaussianEncode(points: number, Bcols: number, out: number, n: number, m: number): void;
  heapBase(): number;
}
const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
setFlagsFromString("--experimental-wasm-relaxed-simd");
const builds = ["kernels.wasm", "kernels-fma.wasm"].map((file) => ({
  file,
  k: new WebAssembly.Instance(new WebAssembly.Module(readFileSync(`dist/backends/wasm/${file}`)), {
    env: { memory, abort: () => {}, sin: Math.sin, cos: Math.cos },
  }).exports as unknown as KernelExports,
}));
const f32 = new Float32Array(memory.buffer);
const special = fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3.4e38);
const value = fc.oneof(fc.float({ noDefaultInfinity: false }), special);

describe.each(builds)("wasm kernels ($file)", ({ k }) => {
  // test data goes after the module's static data, in float32 elements; never at 0, which the
  // kernels read as "none"
  const free = Math.ceil(k.heapBase() / 16) * 4;
  it("keeps its static data below heapBase: buffers above it cannot change results", () => {
    const [pz, pa, rest] = offsets(free, [64, 64, 0]);
    const z = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 3);
    const run = () => {
      f32.set(z, pz);
      const out: number[] = [];
      for (const kind of [WASM_ACTIVATIONS.gelu, WASM_ACTIVATIONS.sine, WASM_ACTIVATIONS.tanh]) {
        k.activationForward(kind, pz * 4, pa * 4, 64);
        out.push(...f32.subarray(pa, pa + 64));
      }
      return out;
    };
    const before = run();
    f32.fill(Number.NaN, rest, rest + 16384); // scribble over 64 KiB above the test's buffers
    expect(run()).toEqual(before);
    expect(before.every(Number.isFinite)).toBe(true);
  });

  it("ReLU's kernels are the reference's relu and reluGrad, bit for bit (NaN, ±0, ±∞ included)", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 37 }), fc.array(value, { minLength: 37, maxLength: 37 }), (z, da) => {
        const n = z.length;
        const [pz, pda, pa, pdz] = offsets(free, [37, 37, 37, 37]);
        f32.set(z, pz);
        f32.set(da.slice(0, n), pda);
        k.activationForward(WASM_ACTIVATIONS.relu, pz * 4, pa * 4, n);
        k.activationBackward(WASM_ACTIVATIONS.relu, pz * 4, pda * 4, pdz * 4, n);
        for (let i = 0; i < n; i++) {
          expect(Object.is(f32[pa + i], Math.fround(relu(Math.fround(z[i]))))).toBe(true);
          expect(Object.is(f32[pdz + i], Math.fround(Math.fround(da[i]) * reluGrad(Math.fround(z[i]))))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  // The float32 approximations' stated bounds (assembly/activations.ts): |f̃(z) − f(z)| ≤ ε·max(1, |f(z)|)
  // and |f̃'(z) − f'(z)| ≤ ε'·max(1, |f'(z)|) (sine's f' = 30·cos(30z): ε'·30), f the float64 reference.
  const BOUNDS: Record<string, [number, number]> = {
    gelu: [2e-7, 2e-7],
    elu: [1e-7, 1e-7],
    tanh: [2e-7, 4e-7],
    sigmoid: [1.5e-7, 1.5e-7],
    sine: [2e-7, 2e-7],
    identity: [0, 0],
    relu: [0, 0],
  };
  // z ∈ [−30, 30] every 2⁻¹⁴ (3.9 million points), ±10^e for e ∈ [−45, 4] every 0.01 (the tails, and
  // near 0 down to subnormals), and ±0
  const dense = (() => {
    const zs: number[] = [0, -0];
    for (let z = -30; z <= 30; z += 2 ** -14) zs.push(z);
    for (let e = -45; e <= 4; e += 0.01) zs.push(10 ** e, -(10 ** e));
    return Float32Array.from(zs);
  })();

  it.each(Object.keys(BOUNDS))("%s and its derivative are within the stated bound of the float64 reference, over the whole range", (name) => {
    const act = name as ActivationName;
    const { f, grad } = ACTIVATIONS[act];
    const [bound, gradBound] = BOUNDS[act];
    const gradScale = act === "sine" ? 30 : 1;
    const chunk = 1 << 16;
    const [pz, pa, pda, pdz] = offsets(free, [chunk, chunk, chunk, chunk]);
    f32.fill(1, pda, pda + chunk);
    let worst = 0;
    let worstGrad = 0;
    for (let s = 0; s < dense.length; s += chunk) {
      const n = Math.min(chunk, dense.length - s);
      f32.set(dense.subarray(s, s + n), pz);
      k.activationForward(WASM_ACTIVATIONS[act], pz * 4, pa * 4, n);
      // the derivative from z or from the kernel's own a, as the trainer hands it
      k.activationBackward(WASM_ACTIVATIONS[act], (DERIVATIVE_FROM_A[act] ? pa : pz) * 4, pda * 4, pdz * 4, n);
      for (let i = 0; i < n; i++) {
        const z = f32[pz + i];
        const [y, g] = [f(z), grad(z)];
        const e = Math.abs(f32[pa + i] - y) / Math.max(1, Math.abs(y));
        const eg = Math.abs(f32[pdz + i] - g) / Math.max(gradScale, Math.abs(g));
        if (!(e <= bound)) throw new Error(`${name}(${z}) = ${f32[pa + i]}, reference ${y}: error ${e} > ${bound}`);
        if (!(eg <= gradBound)) throw new Error(`${name}'(${z}) = ${f32[pdz + i]}, reference ${g}: error ${eg} > ${gradBound}`);
        worst = Math.max(worst, e);
        worstGrad = Math.max(worstGrad, eg);
      }
    }
    // the bounds are measured, not loose: a regression that doubles an error shows
    if (bound > 0) expect(worst).toBeGreaterThan(bound / 4);
    if (gradBound > 0) expect(worstGrad).toBeGreaterThan(gradBound / 4);
  });

  it("the activation kernels keep NaN, and give the same bits in a SIMD lane as alone (any offset, any length)", () => {
    for (const [name, code] of Object.entries(WASM_ACTIVATIONS)) {
      const act = name as ActivationName;
      fc.assert(
        fc.property(fc.array(value, { minLength: 1, maxLength: 37 }), fc.array(value, { minLength: 37, maxLength: 37 }), (z, da) => {
          const n = z.length;
          const [pz, pda, pa, pdz, p1, p2] = offsets(free, [37, 37, 37, 37, 4, 4]);
          f32.set(z, pz);
          f32.set(da.slice(0, n), pda);
          k.activationForward(code, pz * 4, pa * 4, n);
          const d = DERIVATIVE_FROM_A[act] ? pa : pz;
          k.activationBackward(code, d * 4, pda * 4, pdz * 4, n);
          for (let i = 0; i < n; i++) {
            if (Number.isNaN(f32[pz + i])) expect(f32[pa + i]).toBeNaN();
            // element i alone (the scalar path): the same bits
            f32[p1] = f32[pz + i];
            k.activationForward(code, p1 * 4, p2 * 4, 1);
            expect(Object.is(f32[p2], f32[pa + i])).toBe(true);
            f32[p1] = f32[d + i];
            f32[p1 + 1] = f32[pda + i];
            k.activationBackward(code, p1 * 4, (p1 + 1) * 4, p2 * 4, 1);
            expect(Object.is(f32[p2], f32[pdz + i])).toBe(true);
          }
        }),
        { numRuns: 100 },
      );
    }
  });

  it("gemm computes bias + Σ_k A(r,k)·B[k][c] for any shape, row-major or transposed A, with each activation's epilogue (forward or backward), the elementwise kernels' bits", () => {
    // float32 sums of ≤ 40 products of values in [−1, 1] (plus a bias): error ≤ 41·2⁻²⁴·Σ|terms| < 1e-5
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 21 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("none", ...ACTIVATION_NAMES),
        fc.boolean(),
        fc.integer(),
        (R, K, N, transposed, withBias, epilogue, backward, seed) => {
          const rand = lcg(seed);
          const A = Float32Array.from({ length: R * K }, rand);
          const B = Float32Array.from({ length: K * N }, rand);
          const bias = Float32Array.from({ length: N }, rand);
          // z (or a) for the backward's f'(·), exact zeros included: ReLU's [0 > 0] is 0
          const Z = Float32Array.from({ length: R * N }, () => (rand() < -0.3 ? 0 : rand()));
          const [pa, pb, pbias, pz, pc, pd, pp, pe] = offsets(free, [R * K, K * N, N, R * N, R * N, R * N, R * N, R * N]);
          f32.set(A, pa);
          f32.set(B, pb);
          f32.set(bias, pbias);
          f32.set(Z, pz);
          const act = epilogue === "none" ? 0 : WASM_ACTIVATIONS[epilogue as ActivationName];
          // transposed: A is stored [K][R] and read as its transpose
          const run = (C: number, code: number, aOut: number, dIn: number) =>
            k.gemm(pa * 4, pb * 4, C * 4, R, K, N, transposed ? 1 : K, transposed ? R : 1, withBias ? pbias * 4 : 0, code, aOut * 4, dIn * 4);
          run(pc, act, backward ? 0 : pd, backward ? pz : 0);
          // the plain product, then the elementwise kernel: the fused epilogue gives the same bits
          run(pp, 0, 0, 0);
          for (let r = 0; r < R; r++)
            for (let c = 0; c < N; c++) {
              let sum = withBias ? bias[c] : 0;
              for (let q = 0; q < K; q++) sum += (transposed ? A[q * R + r] : A[r * K + q]) * B[q * N + c];
              expect(Math.abs(f32[pp + r * N + c] - sum)).toBeLessThan(1e-5);
            }
          if (act === 0) expect(bytesAt(pc, R * N)).toEqual(bytesAt(pp, R * N));
          else if (backward) {
            k.activationBackward(act, pz * 4, pp * 4, pe * 4, R * N);
            expect(bytesAt(pc, R * N)).toEqual(bytesAt(pe, R * N));
          } else {
            expect(bytesAt(pc, R * N)).toEqual(bytesAt(pp, R * N));
            k.activationForward(act, pp * 4, pe * 4, R * N);
            expect(bytesAt(pd, R * N)).toEqual(bytesAt(pe, R * N));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the Fourier-feature kernels give the JavaScript encoders' rows, bit for bit (any point, odd m, with or without the input)", () => {
    const coord = fc.oneof(fc.float({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0, -0, 1, -1, 0.5, 1 / 3, 2 ** -20));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coord, coord), { minLength: 1, maxLength: 40 }),
        fc.oneof(
          fc.record({
            type: fc.constant("positional" as const),
            range: fc.constant("11" as const),
            frequencies: fc.integer({ min: 1, max: 24 }),
            includeInput: fc.boolean(),
          }),
          fc.record({
            type: fc.constant("gaussian" as const),
            range: fc.constant("11" as const),
            features: fc.integer({ min: 1, max: 70 }),
            sigma: fc.constantFrom(1, 10, 100),
          }),
        ),
        fc.integer({ min: 0, max: 1000 }),
        (pairs, encoding, seed) => {
          const encoder = createEncoder(encoding, seed);
          const n = pairs.length;
          const F = encoder.features;
          const points = Float32Array.from(pairs.flat());
          const expected = new Float32Array(n * F);
          encoder.encode(points, expected, n);
          const [pp, pB, po] = offsets(free, [2 * n, 4 * F, n * F]);
          f32.set(points, pp);
          if (encoding.type === "positional") k.positionalEncode(pp * 4, po * 4, n, encoding.frequencies, encoding.includeInput ? 1 : 0);
          else {
            // B [m][2] as two float64 columns [2][m]
            const m = F / 2;
            const B = encoder.matrix as Float32Array;
            const cols = new Float64Array(memory.buffer, pB * 4, 2 * m);
            for (let r = 0; r < m; r++) [cols[r], cols[m + r]] = [B[2 * r], B[2 * r + 1]];
            k.gaussianEncode(pp * 4, pB * 4, po * 4, n, m);
          }
          expect(bytesAt(po, n * F)).toEqual(Buffer.from(expected.buffer));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gemmNT computes bias + Σ_k A[r][k]·B[c][k] (a dot product per output) for any shape", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.integer(),
        (R, K, N, withBias, seed) => {
          const rand = lcg(seed);
          const A = Float32Array.from({ length: R * K }, rand);
          const B = Float32Array.from({ length: N * K }, rand);
          const bias = Float32Array.from({ length: N }, rand);
          const [pa, pb, pbias, pc] = offsets(free, [R * K, N * K, N, R * N]);
          f32.set(A, pa);
          f32.set(B, pb);
          f32.set(bias, pbias);
          k.gemmNT(pa * 4, pb * 4, pc * 4, R, K, N, withBias ? pbias * 4 : 0);
          // ≤ 70 products in [−0.25, 0.25] and a bias: error ≤ 71·2⁻²⁴·Σ|terms| < 1e-5
          for (let r = 0; r < R; r++)
            for (let c = 0; c < N; c++) {
              let sum = withBias ? bias[c] : 0;
              for (let q = 0; q < K; q++) sum += A[r * K + q] * B[c * K + q];
              expect(Math.abs(f32[pc + r * N + c] - sum)).toBeLessThan(1e-5);
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("transpose moves the first N columns of any [R][ldM] matrix to [N][R], bit for bit, and sums them in order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (R, N, extra, seed) => {
        const ld = N + extra; // row stride: columns past N are not read
        const M = Float32Array.from({ length: R * ld }, lcg(seed));
        const [pm, pt, ps] = offsets(free, [R * ld, R * N + 8, N + 8]);
        f32.set(M, pm);
        f32.fill(-1, pt, ps + N + 8);
        k.transpose(pm * 4, pt * 4, R, N, ld, ps * 4);
        for (let r = 0; r < R; r++) for (let c = 0; c < N; c++) expect(f32[pt + c * R + r]).toBe(M[r * ld + c]);
        for (let c = 0; c < N; c++) {
          // float32 additions in order of r: the same sum as a plain loop, bit for bit
          let sum = 0;
          for (let r = 0; r < R; r++) sum = Math.fround(sum + M[r * ld + c]);
          expect(f32[ps + c]).toBe(sum);
        }
        // nothing written past either end
        for (let i = 0; i < 8; i++) expect([f32[pt + R * N + i], f32[ps + N + i]]).toEqual([-1, -1]);
      }),
      { numRuns: 200 },
    );
  });

  it("adam is the reference's adamStep, bit for bit (f64 arithmetic, rounded once on store)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 1e-5, max: 1e-1, noNaN: true }),
        fc.integer(),
        (n, step, lr, seed) => {
          const rand = lcg(seed);
          const p = Float32Array.from({ length: n }, rand);
          const g = Float32Array.from({ length: n }, () => rand() * 10 ** Math.round(4 * rand()));
          const m = Float32Array.from({ length: n }, () => rand() * 0.1);
          const v = Float32Array.from({ length: n }, () => Math.abs(rand()) * 0.01);
          const opts = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
          const [pp, pg, pm, pv] = offsets(free, [n, n, n, n]);
          f32.set(p, pp);
          f32.set(g, pg);
          f32.set(m, pm);
          f32.set(v, pv);
          const { stepSize, bc2Sqrt } = adamCorrections(step, opts, lr);
          k.adam(pp * 4, pg * 4, pm * 4, pv * 4, n, opts.beta1, opts.beta2, opts.eps, stepSize, bc2Sqrt);
          const state = { step: step - 1, m: [m], v: [v] };
          adamStep([p], [g], state, opts, lr);
          expect(Array.from(f32.subarray(pp, pp + n))).toEqual(Array.from(p));
          expect(Array.from(f32.subarray(pm, pm + n))).toEqual(Array.from(m));
          expect(Array.from(f32.subarray(pv, pv + n))).toEqual(Array.from(v));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A copy of n float32 values from element `at` of the kernels' memory. */
const bytesAt = (at: number, n: number) => Buffer.from(f32.slice(at, at + n).buffer);

/** A small seeded generator of values in [−0.5, 0.5). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    return (s >>> 0) / 2 ** 32 - 0.5;
  };
}

/** Consecutive regions of the given lengths from element `start`, each 4-aligned: their first elements. */
function offsets(start: number, lengths: number[]): number[] {
  let at = start;
  return lengths.map((n) => {
    const here = at;
    at += Math.ceil(n / 4) * 4;
    return here;
  });
}

describe("wasm trainer threads", () => {
  const config = parseConfig({ network: { width: 64, depth: 2 } });
  const options = { spec: networkSpec(config), adam: config.optimizer, weights: initialWeights(config), maxBatch: 256 };
  // 16 batches of 256 and one of 88 per epoch, each large enough to cut (≥ 2¹⁵ multiply-adds a
  // part), and a few hundred calls: enough that a helper takes some parts even on a busy machine
  const N = 16 * 256 + 88;
  const rng = new Rng(4);
  const inputs = Float32Array.from({ length: N * 2 }, () => rng.next());
  const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
  /** two epochs on `threads`; the weights and how many parts the trainer's own thread ran */
  const train = async (wasmOptions: WasmTrainerOptions) => {
    const trainer = new WasmTrainer(options, wasmOptions);
    await trainer.ready();
    expect(trainer.info.details.threads).toBe(String(wasmOptions.threads));
    for (let e = 0; e < 2; e++) await trainer.epoch(inputs, targets, epochOrder(N, new Rng(e)), 256, 1e-3);
    const stats = trainer.threadStats();
    const weights = await trainer.getWeights();
    await trainer.dispose();
    return { weights, stats };
  };
  const bits = (weights: LayerWeights[]) => weights.map((w) => [Buffer.from(w.weight.buffer), Buffer.from(w.bias.buffer)]);
  const one = train({ threads: 1 });

  it("cuts work into runs that cover it exactly, aligned but the last", () => {
    expect(cut(10, 2, 4)).toEqual([
      [0, 4],
      [4, 6],
    ]);
    expect(cut(3, 2, 4)).toEqual([[0, 3]]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 4), (n, parts, align) => {
        const runs = cut(n, parts, align);
        expect(runs.length).toBeLessThanOrEqual(parts);
        let next = 0;
        for (const [start, count] of runs) {
          expect(start).toBe(next);
          expect(count).toBeGreaterThan(0);
          next = start + count;
          if (next < n) expect(next % align).toBe(0);
        }
        expect(next).toBe(n);
      }),
    );
  });

  it("with helper threads gives bit-identical weights to one thread (each output element is computed by one thread)", async () => {
    const { weights: w1, stats: s1 } = await one;
    expect(s1.parts).toBe(0); // one thread: nothing handed out
    for (const threads of [2, 3]) {
      // the helpers must take parts in at least one run, else this compares one thread with itself.
      // On a loaded machine the main thread may claim every part before a descheduled helper wakes
      // (by design: no thread waits for another), so a run may go by with none; try a few.
      let helped = 0;
      for (let attempt = 0; attempt < 10 && helped === 0; attempt++) {
        const { weights, stats } = await train({ threads });
        expect(bits(weights)).toEqual(bits(w1));
        expect(stats.parts).toBeGreaterThan(0);
        helped = stats.parts - stats.partsHere;
      }
      expect(helped).toBeGreaterThan(0);
    }
  });

  it("never waits for a helper that does not start: the trainer runs the parts itself, bit-identical", async () => {
    const { weights: w1 } = await one;
    // helpers that never take a part (as if never scheduled): the old hand-off waited forever here
    const never = await train({ threads: 2, helperDelayMs: Number.POSITIVE_INFINITY });
    expect(never.stats.parts).toBeGreaterThan(0);
    expect(never.stats.partsHere).toBe(never.stats.parts);
    expect(bits(never.weights)).toEqual(bits(w1));
    // helpers late by a millisecond for every call: parts land on either thread as timing has it
    const late = await train({ threads: 2, helperDelayMs: 1 });
    expect(bits(late.weights)).toEqual(bits(w1));
  });

  it("encode() builds stored inputs in the kernels, bit for bit the encoder's (positional, Gaussian, none)", async () => {
    for (const encoding of [
      { type: "positional", frequencies: 7, includeInput: true, range: "11" },
      { type: "gaussian", features: 33, sigma: 10 },
      { type: "none", range: "11" },
    ] as const) {
      const cfg = parseConfig({ encoding, network: { width: 16, depth: 1 } });
      const encoder = createEncoder(cfg.encoding, 5);
      const trainer = new WasmTrainer({ spec: networkSpec(cfg), adam: cfg.optimizer, weights: initialWeights(cfg), maxBatch: 100 }, { threads: 2 });
      await trainer.ready();
      // 37×29 = 1073 points: ten full chunks of 100 and a short one
      const points = pixelCoordinates(37, 29, encoder.config.range) as Float32Array;
      const [expected, got] = [0, 1].map(() => new Float32Array(1073 * encoder.features));
      encoder.encode(points, expected, 1073);
      trainer.encode(encoder, points, got, 1073);
      await trainer.dispose();
      expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it.each(["gelu", "tanh", "sine"] as const)(
    "%s network on Gaussian features encoded on demand: helper threads give bit-identical weights to one thread",
    async (activation) => {
      // the fused activation epilogues and the encode kernel cut across threads like the products
      const cfg = parseConfig({ encoding: { type: "gaussian", features: 24, sigma: 10 }, network: { width: 40, depth: 2, activation } });
      const opts = { spec: networkSpec(cfg), adam: cfg.optimizer, weights: initialWeights(cfg), maxBatch: 256 };
      const inputs = imageInputs(createEncoder(cfg.encoding, 0), 64, 64, 0);
      const M = 64 * 64;
      const run = async (wasmOptions: WasmTrainerOptions) => {
        const trainer = new WasmTrainer(opts, wasmOptions);
        await trainer.ready();
        await trainer.epoch(inputs, targets.subarray(0, M * 3), epochOrder(M, new Rng(1)), 256, 1e-3);
        const result = { weights: await trainer.getWeights(), stats: trainer.threadStats() };
        await trainer.dispose();
        return result;
      };
      const single = await run({ threads: 1 });
      // on a loaded machine the trainer's thread may run every part itself: try a few times
      let helped = 0;
      for (let attempt = 0; attempt < 10 && helped === 0; attempt++) {
        const { weights, stats } = await run({ threads: 2 });
        expect(bits(weights)).toEqual(bits(single.weights));
        helped = stats.parts - stats.partsHere;
      }
      expect(helped).toBeGreaterThan(0);
    },
  );
});

describe("wasm trainer gradients", () => {
  const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  /** a random network of `arch` with its weights drawn as the reference draws them */
  const optionsFor = (arch: Arch): TrainerOptions => {
    const spec = {
      inputs: arch.inputs,
      outputs: 3,
      width: arch.width,
      depth: arch.depth,
      activation: arch.activation,
      outputActivation: arch.outputActivation,
    };
    const mlp = createMLP(spec, new Rng(arch.seed, "init"), arch.activation === "sine" ? "siren" : "torch");
    return { spec, adam, weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })), maxBatch: arch.batch };
  };
  const batchFor = (arch: Arch) => {
    const rng = new Rng(arch.seed, "data");
    return {
      x: Float32Array.from({ length: arch.batch * arch.inputs }, () => rng.uniform(-1, 1)),
      y: Float32Array.from({ length: arch.batch * 3 }, () => rng.next()),
    };
  };
  const archs = fc.record({
    inputs: fc.constantFrom(2, 20, 42),
    width: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(1, 3, 7, 8, 9, 127, 128)),
    depth: fc.integer({ min: 1, max: 4 }),
    activation: fc.constantFrom(...ACTIVATION_NAMES),
    outputActivation: fc.constantFrom<ActivationName>("sigmoid", "identity"),
    batch: fc.integer({ min: 1, max: 300 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    threads: fc.constantFrom(1, 2),
  });

  it("are the reference's outputs, loss and dW/db within the parity suite's tolerances", async () => {
    // test/parity.test.ts's tolerance model: |wasm − ref32| ≤ C·|ref32 − ref64| + factor·atol·scale
    // + rtol·|ref32| with C = 20, atol = rtol = 1e-4, scale the largest |ref32| of the tensor (a
    // float32 sum's error scales with its largest terms), factor 10 for sine networks (a sine
    // layer multiplies its input's error by up to ω₀ = 30). The kernels sum in float32 in another
    // order (4×8 tiles, fused multiply-adds) than the reference's loops.
    await fc.assert(
      fc.asyncProperty(archs, async (arch) => {
        const opts = optionsFor(arch);
        const { x, y } = batchFor(arch);
        const factor = arch.activation === "sine" ? 10 : 1;
        const wasm = new WasmTrainer(opts, { threads: Math.min(arch.threads, 2) });
        try {
          const got = await wasm.gradients(x, y, arch.batch);
          const ref = await new ReferenceTrainer(opts).gradients(x, y, arch.batch);
          const r64 = await new ReferenceTrainer(opts, "float64").gradients(x, y, arch.batch);
          within("outputs", got.outputs, ref.outputs, r64.outputs, factor);
          within("loss", [got.loss], [ref.loss], [r64.loss], factor);
          expect(got.grads.length).toBe(ref.grads.length);
          got.grads.forEach((g, l) => {
            within(`dW[${l}]`, g.weight, ref.grads[l].weight, r64.grads[l].weight, factor);
            within(`db[${l}]`, g.bias, ref.grads[l].bias, r64.grads[l].bias, factor);
          });
        } finally {
          await wasm.dispose();
        }
      }),
      { numRuns: 24, seed: Number(process.env.PARITY_SEED ?? 20261127) },
    );
  });

  it("are the step's own gradients, bit for bit, and leave the weights and Adam's state as they were", async () => {
    const arch: Arch = { inputs: 20, width: 64, depth: 3, activation: "gelu", outputActivation: "sigmoid", batch: 256, seed: 7, threads: 2 };
    const opts = optionsFor(arch);
    const { x, y } = batchFor(arch);
    const wasm = new WasmTrainer(opts, { threads: 2 });
    const plain = new WasmTrainer(opts, { threads: 2 });
    try {
      // a state with Adam moments: one step on another batch first, on both trainers
      const warm = batchFor({ ...arch, seed: 8 });
      for (const t of [wasm, plain]) await t.step(warm.x, warm.y, arch.batch, 1e-3);
      const weights = await wasm.getWeights();
      const state = await wasm.getOptimizerState();
      const g = await wasm.gradients(x, y, arch.batch);
      // nothing moved
      expect(bitsOf(await wasm.getWeights())).toEqual(bitsOf(weights));
      const after = await wasm.getOptimizerState();
      expect(after.step).toBe(state.step);
      expect([...after.m, ...after.v].map(bytes)).toEqual([...state.m, ...state.v].map(bytes));
      // the outputs are predict's; the loss and the gradients are the step's: the reference's Adam
      // (bit for bit the wasm kernel's) on these gradients gives the weights the wasm step gives
      expect(bytes(g.outputs)).toEqual(bytes(await wasm.predict(x, arch.batch)));
      const loss = await wasm.step(x, y, arch.batch, 1e-3);
      expect(g.loss).toBe(loss);
      const params = weights.flatMap((w) => [w.weight, w.bias]);
      const adamState = createAdamState(params);
      adamState.step = state.step;
      adamState.m.forEach((m, k) => {
        m.set(state.m[k]);
      });
      adamState.v.forEach((v, k) => {
        v.set(state.v[k]);
      });
      adamStep(
        params,
        g.grads.flatMap((w) => [w.weight, w.bias]),
        adamState,
        adam,
        1e-3,
      );
      // (adamStep updated `weights` in place)
      expect(bitsOf(await wasm.getWeights())).toEqual(bitsOf(weights));
      // and a trainer that never computed gradients() steps to the same weights
      await plain.step(x, y, arch.batch, 1e-3);
      expect(bitsOf(await plain.getWeights())).toEqual(bitsOf(await wasm.getWeights()));
    } finally {
      await wasm.dispose();
      await plain.dispose();
    }
  });
});

interface Arch {
  inputs: number;
  width: number;
  depth: number;
  activation: ActivationName;
  outputActivation: ActivationName;
  batch: number;
  seed: number;
  threads: number;
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const bitsOf = (weights: LayerWeights[]) => weights.map((w) => [bytes(w.weight), bytes(w.bias)]);

/** |actual − ref32| ≤ 20·|ref32 − ref64| + factor·1e-4·scale + 1e-4·|ref32| element-wise (see parity.test.ts). */
function within(quantity: string, actual: ArrayLike<number>, ref32: ArrayLike<number>, ref64: ArrayLike<number>, factor: number): void {
  expect(actual.length).toBe(ref32.length);
  let scale = 0;
  for (let k = 0; k < ref32.length; k++) scale = Math.max(scale, Math.abs(ref32[k]));
  for (let k = 0; k < ref32.length; k++) {
    const err = Math.abs(actual[k] - ref32[k]);
    const bound = 20 * Math.abs(ref32[k] - ref64[k]) + factor * 1e-4 * scale + 1e-4 * Math.abs(ref32[k]);
    if (!(err <= bound)) throw new Error(`${quantity}[${k}]: wasm ${actual[k]}, reference ${ref32[k]} (float64: ${ref64[k]}), |diff| ${err} > ${bound}`);
  }
}
