// The activations in float32 SIMD, four lanes at a time: their forward f(z), applied as gemm stores
// each tile of z (assembly/gemm.ts), and the chain rule dz = da·f'(·), applied as gemm stores each
// tile of da below the top layer; the elementwise kernels below do the same where no product can
// carry them (the top layer, layers narrower than gemm's tiles). A scalar goes through the same
// four-lane code in lane 0, so an element's result never depends on where a tile or a thread's
// part begins.
//
// The derivative reads the pre-activation z where it needs it (ReLU: z > 0; GELU: Φ(z) + z·φ(z);
// sine: 30·cos(30z)) and the activation a = f(z) where f' is a function of it, which saves
// evaluating f again (ELU: a + 1 below 0; tanh: 1 − a²; sigmoid: a·(1 − a)): DERIVATIVE_FROM_A in
// src/backends/wasm/module.ts says which, and the trainer hands the kernels that array.
//
// Measured errors against the float64 reference (src/reference/activations/*.ts), over
// z ∈ [−30, 30] every 2⁻¹⁴ and ±10^e for e ∈ [−45, 4] every 0.01 (near 0 down to subnormals, and
// the tails), with the bounds that test/wasm-kernels.test.ts asserts (it also asserts that each
// measured error is above a quarter of its bound, so that a bound stays a measurement):
// |f̃(z) − f(z)| ≤ ε·max(1, |f(z)|) and |f̃'(z) − f'(z)| ≤ ε'·max(1, |f'(z)|) (sine: ε'·30)
//
//   activation   measured ε   ε'         bound ε   ε'    how
//   relu         0            0          exact           max(z, 0); da·[z > 0]
//   gelu         1.4e−7       1.5e−7     2e−7    2e−7    erf: fitted polynomials (approx.ts); φ: expf
//   elu          4.5e−8       4.9e−8     1e−7    1e−7    eᶻ − 1: Taylor series near 0, cephes' expf
//   tanh         1.5e−7       3.1e−7     2e−7    4e−7    (e^2z − 1)/(e^2z + 1); f' = 1 − a²
//   sigmoid      8.9e−8       8.9e−8     1.5e−7  1.5e−7  1/(1 + e^−z); f' = a·(1 − a)
//   sine         1.5e−7       9.6e−8     2e−7    2e−7    angle reduced in float64, Taylor in float32
//   identity     0            0          exact
//
// (one float32 rounding is 6e−8 relative: the reference's own rounding of f(z) to float32 is half
// that). The bounds stay far below the parity suite's tolerance; src/backends/compare.ts explains
// why.

import { erf4, erfWith4, exp4, expm14, sigmoid4, sin30Turns4, tanh4 } from "./approx";

// Activation codes (the trainer passes them; 0: none), written once in the file the trainer's
// WASM_ACTIVATIONS (src/backends/wasm/module.ts) reads them from.
import { ELU, GELU, IDENTITY, RELU, SIGMOID, SINE, TANH } from "../src/backends/wasm/activation-codes";
export { ELU, GELU, IDENTITY, RELU, SIGMOID, SINE, TANH };

@inline function k(x: f32): v128 {
  return f32x4.splat(x);
}

/** f(z), four lanes, for activation `act` (a constant wherever this is inlined). */
@inline export function forward4(act: i32, z: v128): v128 {
  if (act === RELU) return f32x4.max(z, k(0)); // max keeps NaN; max(−0, 0) = +0, as Math.max
  if (act === GELU) return f32x4.mul(f32x4.mul(z, k(0.5)), f32x4.add(k(1), erf4(f32x4.mul(z, k(0.70710678118654752440)))));
  // ELU: z for z > 0 (NaN takes the other branch, which keeps it), else eᶻ − 1
  // (four positive lanes skip eᶻ − 1; the result is the same bits)
  if (act === ELU) {
    const pos = f32x4.gt(z, k(0));
    if (v128.all_true<i32>(pos)) return z;
    return v128.bitselect(z, expm14(z), pos);
  }
  if (act === TANH) return tanh4(z);
  if (act === SIGMOID) return sigmoid4(z);
  if (act === SINE) return sin30Turns4(z, false);
  return z;
}

/**
 * da·f'(·), four lanes: `d` is z for ReLU, GELU and sine, a = f(z) for ELU, tanh and sigmoid (see
 * the file's description).
 */
@inline export function backward4(act: i32, da: v128, d: v128): v128 {
  // ReLU: da·[z > 0], a product (NaN·0 stays NaN, as the reference's da·reluGrad(z))
  if (act === RELU) return f32x4.mul(da, v128.bitselect(k(1), k(0), f32x4.gt(d, k(0))));
  if (act === GELU) {
    // Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π): with x = z/√2, Φ(z) = (1 + erf(x))/2 and e^(−z²/2) =
    // e^(−x²), the exponential erf's tail needs too, so it is computed once
    const x = f32x4.mul(d, k(0.70710678118654752440));
    const u = f32x4.mul(x, x);
    const e = exp4(f32x4.neg(u));
    const cdf = f32x4.mul(k(0.5), f32x4.add(k(1), erfWith4(x, u, e)));
    const pdf = f32x4.mul(e, k(0.3989422804014327));
    return f32x4.mul(da, f32x4.add(cdf, f32x4.mul(d, pdf)));
  }
  // ELU from a: 1 where a > 0 (z > 0), else eᶻ = a + 1
  if (act === ELU) return f32x4.mul(da, v128.bitselect(k(1), f32x4.add(d, k(1)), f32x4.gt(d, k(0))));
  if (act === TANH) return f32x4.mul(da, f32x4.sub(k(1), f32x4.mul(d, d)));
  if (act === SIGMOID) return f32x4.mul(da, f32x4.mul(d, f32x4.sub(k(1), d)));
  if (act === SINE) return f32x4.mul(da, f32x4.mul(k(30), sin30Turns4(d, true)));
  return da;
}

/** forward4 on one value (lane 0 of the same code). */
@inline export function forward1(act: i32, z: f32): f32 {
  return f32x4.extract_lane(forward4(act, f32x4.splat(z)), 0);
}

/** backward4 on one value. */
@inline export function backward1(act: i32, da: f32, d: f32): f32 {
  return f32x4.extract_lane(backward4(act, f32x4.splat(da), f32x4.splat(d)), 0);
}

/** a[i] = f(z[i]) for i < n (a may be z). */
@inline function forwardLoop(act: i32, z: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(a + o, forward4(act, v128.load(z + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, forward1(act, load<f32>(z + o)));
  }
}

/** dz[i] = da[i]·f'(·) from d[i] (z or a, see backward4) for i < n (dz may be da). */
@inline function backwardLoop(act: i32, d: usize, da: usize, dz: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dz + o, backward4(act, v128.load(da + o), v128.load(d + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dz + o, backward1(act, load<f32>(da + o), load<f32>(d + o)));
  }
}

/** a[i] = f(z[i]) for i < n, f the activation `act` (pointers in bytes). */
export function activationForward(act: i32, z: usize, a: usize, n: i32): void {
  // one loop per activation, each with its function inlined
  if (act === RELU) forwardLoop(RELU, z, a, n);
  else if (act === GELU) forwardLoop(GELU, z, a, n);
  else if (act === ELU) forwardLoop(ELU, z, a, n);
  else if (act === TANH) forwardLoop(TANH, z, a, n);
  else if (act === SIGMOID) forwardLoop(SIGMOID, z, a, n);
  else if (act === SINE) forwardLoop(SINE, z, a, n);
  // identity: a copy (the reference's identity, value for value)
  else if (act === IDENTITY) memory.copy(a, z, <usize>n << 2);
  else unreachable();
}

/**
 * dz[i] = da[i]·f'(·) for i < n, from d = z or a as backward4 says (the chain rule through f; dz
 * may be da).
 */
export function activationBackward(act: i32, d: usize, da: usize, dz: usize, n: i32): void {
  if (act === RELU) backwardLoop(RELU, d, da, dz, n);
  else if (act === GELU) backwardLoop(GELU, d, da, dz, n);
  else if (act === ELU) backwardLoop(ELU, d, da, dz, n);
  else if (act === TANH) backwardLoop(TANH, d, da, dz, n);
  else if (act === SIGMOID) backwardLoop(SIGMOID, d, da, dz, n);
  else if (act === SINE) backwardLoop(SINE, d, da, dz, n);
  // identity'(z) = 1: da·1 = da, a copy
  else if (act === IDENTITY) memory.copy(dz, da, <usize>n << 2);
  else unreachable();
}
