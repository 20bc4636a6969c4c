/**
 * Shared test helpers: closeness with a stated tolerance, and central finite differences.
 */

import type { FloatArray } from "../src/reference/dtype.js";

/**
 * Assert |actual − expected| ≤ atol + rtol·|expected| element-wise. NaN never equals anything.
 * On failure the message names the label, the first failing index, both values and the bound.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const bound = atol + rtol * Math.abs(e);
    const err = Math.abs(a - e);
    if (!(err <= bound)) {
      // NaN lands here too: NaN <= bound is false
      const excess = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err - bound;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (worst >= 0) {
    const a = actual[worst];
    const e = expected[worst];
    throw new Error(`${label}: index ${worst}: actual ${a}, expected ${e}, |diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|`);
  }
}

/** The largest |actual − expected| (NaN → Infinity), for reporting. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(m, d);
  }
  return m;
}

/**
 * Central finite difference of a scalar function with respect to every element of `params`:
 * (f(θ + h·e_k) − f(θ − h·e_k)) / 2h. `params` is restored afterwards.
 */
export function finiteDifferences(f: () => number, params: FloatArray, h: number): Float64Array {
  const g = new Float64Array(params.length);
  for (let k = 0; k < params.length; k++) {
    const saved = params[k];
    params[k] = saved + h;
    const up = f();
    params[k] = saved - h;
    const down = f();
    params[k] = saved;
    g[k] = (up - down) / (2 * h);
  }
  return g;
}

/** Σ_k probe[k]·y[k]: a scalar loss whose gradient with respect to y is `probe`. */
export function probeLoss(y: ArrayLike<number>, probe: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < probe.length; k++) s += probe[k] * y[k];
  return s;
}

/** Random float64 values in [lo, hi) from a fast-check–provided seed (deterministic). */
export function randomArray(length: number, next: () => number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length }, () => lo + (hi - lo) * next());
}
