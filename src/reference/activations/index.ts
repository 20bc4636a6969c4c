/**
 * @module
 * The activation registry: each activation's value and derivative as plain scalar functions
 * (the single place each formula is written; GPU kernels receive these same functions), and the
 * element-wise forward and backward passes over arrays.
 */

import type { FloatArray } from "../dtype.js";
import { elu, eluGrad } from "./elu.js";
import { gelu, geluGrad } from "./gelu.js";
import { identity, identityGrad } from "./identity.js";
import { relu, reluGrad } from "./relu.js";
import { sigmoid, sigmoidGrad } from "./sigmoid.js";
import { sine, sineGrad } from "./sine.js";
import { tanh, tanhGrad } from "./tanh.js";

export { erf } from "./erf.js";
export { SIREN_OMEGA0 } from "./sine.js";
export { elu, eluGrad, gelu, geluGrad, identity, identityGrad, relu, reluGrad, sigmoid, sigmoidGrad, sine, sineGrad, tanh, tanhGrad };

/**
 * An activation: its value f(z) and its derivative f'(z), both functions of the pre-activation z.
 *
 * @group Activations
 */
export interface Activation {
  /** f(z) */
  readonly f: (z: number) => number;
  /** f'(z) = df/dz */
  readonly grad: (z: number) => number;
}

/**
 * The name of an activation.
 *
 * @group Activations
 */
export type ActivationName = "relu" | "gelu" | "elu" | "tanh" | "sigmoid" | "sine" | "identity";

/**
 * Every activation coordnet knows, by name.
 *
 * @example
 * ```ts
 * ACTIVATIONS.gelu.f(1); // 0.8413…
 * ```
 *
 * @group Activations
 */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  relu: { f: relu, grad: reluGrad },
  gelu: { f: gelu, grad: geluGrad },
  elu: { f: elu, grad: eluGrad },
  tanh: { f: tanh, grad: tanhGrad },
  sigmoid: { f: sigmoid, grad: sigmoidGrad },
  sine: { f: sine, grad: sineGrad },
  identity: { f: identity, grad: identityGrad },
};

/**
 * The names of all activations, in a stable order.
 *
 * @example
 * ```ts
 * ACTIVATION_NAMES.includes("elu"); // true
 * ```
 *
 * @group Activations
 */
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/**
 * Forward pass, element-wise: a[i] = f(z[i]) for the first `n` elements.
 *
 * @example
 * ```ts
 * const a = new Float32Array(2);
 * activationForward("relu", Float32Array.of(-1, 2), a, 2); // a = [0, 2]
 * ```
 *
 * @group Activations
 */
export function activationForward(name: ActivationName, z: FloatArray, a: FloatArray, n: number): void {
  const f = ACTIVATIONS[name].f;
  // a[i] = f(z[i])
  for (let i = 0; i < n; i++) a[i] = f(z[i]);
}

/**
 * Backward pass, element-wise (the chain rule through f): dz[i] = da[i] · f'(z[i]).
 * `dz` may be the same array as `da`.
 *
 * @example
 * ```ts
 * const dz = new Float32Array(2);
 * activationBackward("relu", Float32Array.of(-1, 2), Float32Array.of(5, 5), dz, 2); // dz = [0, 5]
 * ```
 *
 * @group Activations
 */
export function activationBackward(name: ActivationName, z: FloatArray, da: FloatArray, dz: FloatArray, n: number): void {
  const grad = ACTIVATIONS[name].grad;
  // #region activationBackward
  // dz[i] = da[i] · f'(z[i])
  for (let i = 0; i < n; i++) dz[i] = da[i] * grad(z[i]);
  // #endregion activationBackward
}
