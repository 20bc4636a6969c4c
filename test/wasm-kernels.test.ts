import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LayerWeights } from "../dist/backend.js";
import { parseConfig } from "../dist/config.js";
import { initialWeights, networkSpec } from "../dist/model.js";
import { relu, reluGrad } from "../dist/reference/activations/index.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/training/shuffle.js";
import { WasmTrainer } from "../dist/wasm/trainer.js";

// The wasm backend's kernels on their own, both builds as built: plain SIMD (gemm.wasm) and relaxed
// SIMD with fused multiply-adds (gemm-fma.wasm; the trainer turns Node 20's flag for it on).
interface KernelExports {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, acc: boolean): void;
  transpose(M: number, T: number, R: number, N: number): void;
  reluForward(z: number, a: number, n: number): void;
  reluBackward(z: number, da: number, dz: number, n: number): void;
}
const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
setFlagsFromString("--experimental-wasm-relaxed-simd");
const builds = ["gemm.wasm", "gemm-fma.wasm"].map((file) => ({
  file,
  k: new WebAssembly.Instance(new WebAssembly.Module(readFileSync(`dist/wasm/${file}`)), { env: { memory, abort: () => {} } })
    .exports as unknown as KernelExports,
}));
const f32 = new Float32Array(memory.buffer);
const special = fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3.4e38);
const value = fc.oneof(fc.float({ noDefaultInfinity: false }), special);

describe.each(builds)("wasm kernels ($file)", ({ k }) => {
  it("ReLU's SIMD fast path is the reference's relu and reluGrad, bit for bit (NaN, ±0, ±∞ included)", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 37 }), fc.array(value, { minLength: 37, maxLength: 37 }), (z, da) => {
        const n = z.length;
        f32.set(z, 0);
        f32.set(da.slice(0, n), 64);
        k.reluForward(0, 128 * 4, n);
        k.reluBackward(0, 64 * 4, 192 * 4, n);
        for (let i = 0; i < n; i++) {
          expect(Object.is(f32[128 + i], Math.fround(relu(Math.fround(z[i]))))).toBe(true);
          expect(Object.is(f32[192 + i], Math.fround(Math.fround(da[i]) * reluGrad(Math.fround(z[i]))))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gemm computes Σ_k A(r,k)·B[k][c] for any shape, row-major or transposed A, with or without accumulation", () => {
    // float32 sums of ≤ 40 products of values in [−1, 1]: error ≤ 40·2⁻²⁴·Σ|terms| < 1e-5
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 21 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (R, K, N, transposed, acc, seed) => {
          let s = seed;
          const rand = () => {
            s = (Math.imul(s, 1664525) + 1013904223) | 0;
            return (s >>> 0) / 2 ** 32 - 0.5;
          };
          const A = Float32Array.from({ length: R * K }, rand);
          const B = Float32Array.from({ length: K * N }, rand);
          const C0 = Float32Array.from({ length: R * N }, rand);
          const [pa, pb, pc] = [0, R * K, R * K + K * N];
          f32.set(A, pa);
          f32.set(B, pb);
          f32.set(C0, pc);
          // transposed: A is stored [K][R] and read as its transpose
          k.gemm(pa * 4, pb * 4, pc * 4, R, K, N, transposed ? 1 : K, transposed ? R : 1, acc);
          for (let r = 0; r < R; r++)
            for (let c = 0; c < N; c++) {
              let sum = acc ? C0[r * N + c] : 0;
              for (let q = 0; q < K; q++) sum += (transposed ? A[q * R + r] : A[r * K + q]) * B[q * N + c];
              expect(Math.abs(f32[pc + r * N + c] - sum)).toBeLessThan(1e-5);
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("transpose moves every element of any [R][N] matrix to [N][R], bit for bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 19 }), (R, N) => {
        const M = Float32Array.from({ length: R * N }, (_, i) => i + 0.5);
        f32.set(M, 0);
        f32.fill(-1, 512, 512 + R * N + 8);
        k.transpose(0, 512 * 4, R, N);
        for (let r = 0; r < R; r++) for (let c = 0; c < N; c++) expect(f32[512 + c * R + r]).toBe(M[r * N + c]);
        for (let i = R * N; i < R * N + 8; i++) expect(f32[512 + i]).toBe(-1); // nothing written past the end
      }),
      { numRuns: 200 },
    );
  });
});

describe("wasm trainer threads", () => {
  it("with a helper thread gives bit-identical weights to one thread (each output element is summed by one thread)", async () => {
    const config = parseConfig({ network: { width: 64, depth: 2 } });
    const options = { spec: networkSpec(config), adam: config.optimizer, weights: initialWeights(config), maxBatch: 256 };
    const N = 600; // batches of 256, 256, 88: large enough for the split (≥ 2¹⁶ multiply-adds)
    const rng = new Rng(4);
    const inputs = Float32Array.from({ length: N * 2 }, () => rng.next());
    const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
    const weights: LayerWeights[][] = [];
    for (const threads of [1, 2]) {
      const trainer = new WasmTrainer(options, threads);
      await trainer.ready();
      expect(trainer.info.details.threads).toBe(String(threads));
      for (let e = 0; e < 2; e++) await trainer.epoch(inputs, targets, epochOrder(N, new Rng(e)), 256, 1e-3);
      weights.push(trainer.getWeights());
      await trainer.dispose();
    }
    weights[0].forEach((w, l) => {
      expect(Buffer.from(w.weight.buffer).equals(Buffer.from(weights[1][l].weight.buffer))).toBe(true);
    });
  });
});
