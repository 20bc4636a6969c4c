/**
 * @module
 * Adam (Kingma & Ba, 2015) with bias correction, computed exactly as PyTorch 1.13's `torch.optim.Adam`
 * (single-tensor path, no weight decay, no amsgrad).
 */

import { allocate, dtypeOf, type FloatArray } from "./dtype.js";

/**
 * Adam's hyperparameters. PyTorch's defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
 *
 * @group Optimizer
 */
export interface AdamOptions {
  /** β₁, decay of the first moment */
  readonly beta1: number;
  /** β₂, decay of the second moment */
  readonly beta2: number;
  /** ε, added to the denominator */
  readonly eps: number;
}

/**
 * Adam's state: the step count and one first and second moment array per parameter array.
 *
 * @group Optimizer
 */
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
 *
 * @group Optimizer
 */
export function createAdamState(params: readonly FloatArray[]): AdamState {
  return {
    step: 0,
    m: params.map((p) => allocate(dtypeOf(p), p.length)),
    v: params.map((p) => allocate(dtypeOf(p), p.length)),
  };
}

// #region adamScalars
/**
 * m ← β₁·m + (1 − β₁)·g: the running mean of the gradient.
 *
 * @example
 * ```ts
 * adamFirstMoment(0, 2, 0.9); // 0.2
 * ```
 *
 * @group Optimizer
 */
export function adamFirstMoment(m: number, g: number, beta1: number): number {
  return beta1 * m + (1 - beta1) * g;
}

/**
 * v ← β₂·v + (1 − β₂)·g²: the running mean of the squared gradient.
 *
 * @example
 * ```ts
 * adamSecondMoment(0, 2, 0.999); // 0.004
 * ```
 *
 * @group Optimizer
 */
export function adamSecondMoment(v: number, g: number, beta2: number): number {
  return beta2 * v + (1 - beta2) * g * g;
}

/**
 * p ← p − stepSize · m / (√v / bc2Sqrt + ε), with stepSize = lr / (1 − β₁ᵗ) and
 * bc2Sqrt = √(1 − β₂ᵗ): the bias-corrected step, in PyTorch's order of operations.
 *
 * @example
 * ```ts
 * adamUpdate(1, 0.05, 0.00025, 0.1 / 0.1, Math.sqrt(0.001), 1e-8); // 0.9 (first step, g = 0.5)
 * ```
 *
 * @group Optimizer
 */
export function adamUpdate(p: number, m: number, v: number, stepSize: number, bc2Sqrt: number, eps: number): number {
  return p - (stepSize * m) / (Math.sqrt(v) / bc2Sqrt + eps);
}

/**
 * The two numbers of a step's bias correction.
 *
 * @group Optimizer
 */
export interface AdamCorrections {
  /** lr / (1 − β₁ᵗ) */
  readonly stepSize: number;
  /** √(1 − β₂ᵗ) */
  readonly bc2Sqrt: number;
}

/**
 * The step's two bias corrections, computed once per step (t counts steps from 1):
 * stepSize = lr / (1 − β₁ᵗ) and bc2Sqrt = √(1 − β₂ᵗ).
 *
 * @example
 * ```ts
 * adamCorrections(1, { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 0.1); // { stepSize: 1, bc2Sqrt: √0.001 }
 * ```
 *
 * @group Optimizer
 */
export function adamCorrections(t: number, opts: AdamOptions, lr: number): AdamCorrections {
  return { stepSize: lr / (1 - opts.beta1 ** t), bc2Sqrt: Math.sqrt(1 - opts.beta2 ** t) };
}
// #endregion adamScalars

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
 *
 * @group Optimizer
 */
export function adamStep(params: readonly FloatArray[], grads: readonly FloatArray[], state: AdamState, opts: AdamOptions, lr: number): void {
  const { beta1, beta2, eps } = opts;
  // #region adamStep
  state.step += 1;
  const { stepSize, bc2Sqrt } = adamCorrections(state.step, opts, lr);
  for (let a = 0; a < params.length; a++) {
    const p = params[a];
    const g = grads[a];
    const m = state.m[a];
    const v = state.v[a];
    for (let k = 0; k < p.length; k++) {
      m[k] = adamFirstMoment(m[k], g[k], beta1);
      v[k] = adamSecondMoment(v[k], g[k], beta2);
      p[k] = adamUpdate(p[k], m[k], v[k], stepSize, bc2Sqrt, eps);
    }
  }
  // #endregion adamStep
}
