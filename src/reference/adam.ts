/**
 * @module
 * Adam (Kingma & Ba, 2015) with bias correction, computed exactly as PyTorch 1.13's `torch.optim.Adam`
 * (single-tensor path, no weight decay, no amsgrad).
 */

import { allocate, dtypeOf, type FloatArray } from "./dtype.js";

/** Adam's hyperparameters. PyTorch's defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
export interface AdamOptions {
  /** β₁, decay of the first moment */
  readonly beta1: number;
  /** β₂, decay of the second moment */
  readonly beta2: number;
  /** ε, added to the denominator */
  readonly eps: number;
}

/** Adam's state: the step count and one first and second moment array per parameter array. */
export interface AdamState {
  /** number of steps taken so far */
  step: number;
  /** first moments m, one array per parameter array, same length */
  readonly m: FloatArray[];
  /** second moments v, one array per parameter array, same length */
  readonly v: FloatArray[];
}

/**
 * Zero moments for the given parameter arrays.
 *
 * @example
 * ```ts
 * const state = createAdamState([new Float32Array(4)]); // step 0, m and v zero
 * ```
 */
export function createAdamState(params: readonly FloatArray[]): AdamState {
  return {
    step: 0,
    m: params.map((p) => allocate(dtypeOf(p), p.length)),
    v: params.map((p) => allocate(dtypeOf(p), p.length)),
  };
}

/**
 * One Adam step over every parameter array, in place. With t the new step count:
 *
 *     m ← β₁·m + (1 − β₁)·g
 *     v ← β₂·v + (1 − β₂)·g²
 *     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * @example
 * ```ts
 * const p = Float32Array.of(1), g = Float32Array.of(0.5);
 * const state = createAdamState([p]);
 * adamStep([p], [g], state, { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 0.1); // p ≈ [0.9]
 * ```
 */
export function adamStep(params: readonly FloatArray[], grads: readonly FloatArray[], state: AdamState, opts: AdamOptions, lr: number): void {
  const { beta1, beta2, eps } = opts;
  // #region adamStep
  state.step += 1;
  const t = state.step;
  const stepSize = lr / (1 - beta1 ** t);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  for (let a = 0; a < params.length; a++) {
    const p = params[a];
    const g = grads[a];
    const m = state.m[a];
    const v = state.v[a];
    for (let k = 0; k < p.length; k++) {
      m[k] = beta1 * m[k] + (1 - beta1) * g[k];
      v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
      p[k] = p[k] - (stepSize * m[k]) / (Math.sqrt(v[k]) / bc2Sqrt + eps);
    }
  }
  // #endregion adamStep
}
