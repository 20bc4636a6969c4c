/**
 * @module
 * The wasm kernels on several threads: each large kernel call is cut into parts with disjoint
 * outputs — rows of a matrix product, columns of a transpose, elements of an activation or of
 * Adam, points of an encoding — that a {@link Team} runs. Results do not depend on the cut, nor on which thread runs
 * which part: each output element is computed by one thread, by the same code, in the same order.
 */

import type { Kernels } from "./module.js";
import type { Team } from "./team.js";

/** Multiply-adds a part of a matrix product must have at least: handing out a part costs microseconds. */
const MIN_MACS = 1 << 15;

/** Elements a part of an elementwise loop must have at least (same reason). */
const MIN_ELEMENTS = 1 << 11;

/**
 * `n` items in `parts` contiguous runs, each a multiple of `align` but the last: [start, count].
 *
 * @example
 * ```ts
 * cut(10, 2, 4); // [[0, 4], [4, 6]]
 * ```
 */
export function cut(n: number, parts: number, align: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  for (let k = 1; k <= parts; k++) {
    const end = k === parts ? n : Math.floor((n * k) / parts / align) * align;
    if (end > start) runs.push([start, end - start]);
    start = Math.max(start, end);
  }
  return runs;
}

/**
 * How many parts a call is cut into: one per thread, but no part under `min` work and no part
 * under `align` items.
 */
function partsFor(team: Team, items: number, work: number, min: number, align: number): number {
  return Math.max(1, Math.min(team.threads, Math.floor(work / min), Math.floor(items / align)));
}

/**
 * The most threads a network's kernels can use: its widest matrix product cut into parts of at
 * least {@link MIN_MACS} multiply-adds and 4 rows.
 *
 * @example
 * ```ts
 * usefulThreads([2, 128, 128, 3], 1024); // 512
 * ```
 */
export function usefulThreads(sizes: readonly number[], batch: number): number {
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs = Math.max(macs, sizes[l] * sizes[l + 1] * batch);
  return Math.max(1, Math.min(Math.floor(macs / MIN_MACS), Math.floor(batch / 4)));
}

/**
 * `kernels` with the large calls cut into parts that `team` runs on its threads; the others run
 * on the calling thread alone.
 *
 * @example
 * ```ts
 * const k = parallelKernels(instantiate(module, memory), team);
 * k.gemm(x, Wt, z, 1024, 128, 128, 128, 1, b, WASM_ACTIVATIONS.relu, a, 0); // rows on every thread
 * ```
 */
export function parallelKernels(kernels: Kernels, team: Team): Kernels {
  if (team.threads === 1) return kernels;
  return {
    ...kernels,
    gemm: (A, B, C, R, K, N, sAr, sAk, bias, act, aOut, dIn) => {
      const P = partsFor(team, R, R * K * N, MIN_MACS, 4);
      if (P === 1) return kernels.gemm(A, B, C, R, K, N, sAr, sAk, bias, act, aOut, dIn);
      // rows r0 … r0 + n − 1: A's rows and C's (and the epilogues', laid out like C)
      const at = (p: number, r0: number) => (p === 0 ? 0 : p + 4 * r0 * N);
      team.run(
        "gemm",
        cut(R, P, 4).map(([r0, n]) => [A + 4 * r0 * sAr, B, at(C, r0), n, K, N, sAr, sAk, bias, act, at(aOut, r0), at(dIn, r0)]),
      );
    },
    gemmNT: (A, B, C, R, K, N, bias) => {
      const P = partsFor(team, R, R * K * N, MIN_MACS, 4);
      if (P === 1) return kernels.gemmNT(A, B, C, R, K, N, bias);
      team.run(
        "gemmNT",
        cut(R, P, 4).map(([r0, n]) => [A + 4 * r0 * K, B, C + 4 * r0 * N, n, K, N, bias]),
      );
    },
    transpose: (M, T, R, N, ldM, sums) => {
      // by columns, 4 at a time: each column (and its sum) is one thread's
      const P = partsFor(team, N, R * N, 8 * MIN_ELEMENTS, 4);
      if (P === 1) return kernels.transpose(M, T, R, N, ldM, sums);
      team.run(
        "transpose",
        cut(N, P, 4).map(([c0, n]) => [M + 4 * c0, T + 4 * c0 * R, R, n, ldM, sums === 0 ? 0 : sums + 4 * c0]),
      );
    },
    activationForward: (kind, z, a, n) => {
      const P = partsFor(team, n, n, MIN_ELEMENTS, 4);
      if (P === 1) return kernels.activationForward(kind, z, a, n);
      team.run(
        "activationForward",
        cut(n, P, 4).map(([i, m]) => [kind, z + 4 * i, a + 4 * i, m]),
      );
    },
    activationBackward: (kind, d, da, dz, n) => {
      const P = partsFor(team, n, n, MIN_ELEMENTS, 4);
      if (P === 1) return kernels.activationBackward(kind, d, da, dz, n);
      team.run(
        "activationBackward",
        cut(n, P, 4).map(([i, m]) => [kind, d + 4 * i, da + 4 * i, dz + 4 * i, m]),
      );
    },
    // by points: a run of rows of the output per part
    positionalEncode: (points, out, n, L, includeInput) => {
      const F = 4 * L + (includeInput ? 2 : 0);
      const P = partsFor(team, n, n * F, MIN_ELEMENTS, 1);
      if (P === 1) return kernels.positionalEncode(points, out, n, L, includeInput);
      team.run(
        "positionalEncode",
        cut(n, P, 1).map(([i, m]) => [points + 8 * i, out + 4 * i * F, m, L, includeInput]),
      );
    },
    gaussianEncode: (points, Bcols, out, n, m) => {
      const P = partsFor(team, n, n * 2 * m, MIN_ELEMENTS, 1);
      if (P === 1) return kernels.gaussianEncode(points, Bcols, out, n, m);
      team.run(
        "gaussianEncode",
        cut(n, P, 1).map(([i, k]) => [points + 8 * i, Bcols, out + 8 * i * m, k, m]),
      );
    },
    adam: (p, g, m, v, n, beta1, beta2, eps, stepSize, bc2Sqrt) => {
      const P = partsFor(team, n, 4 * n, MIN_MACS, 4);
      if (P === 1) return kernels.adam(p, g, m, v, n, beta1, beta2, eps, stepSize, bc2Sqrt);
      team.run(
        "adam",
        cut(n, P, 4).map(([i, k]) => [p + 4 * i, g + 4 * i, m + 4 * i, v + 4 * i, k, beta1, beta2, eps, stepSize, bc2Sqrt]),
      );
    },
  };
}
