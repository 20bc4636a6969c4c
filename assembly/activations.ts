// The hidden and output activations other than ReLU (which is fused into the matrix products),
// elementwise over f32 arrays: each value is computed in f64 with the reference's formula
// (src/reference/activations/*.ts) and rounded once on store, as the reference does. exp, tanh,
// sin and cos are AssemblyScript's (musl's algorithms), which may differ from V8's Math functions
// in the last bit of a double; rounding to f32 hides that in all but rare cases (≤ 1 f32 ulp, as
// the kernel tests check).

// the reference's own erf (fdlibm's rational approximations), compiled as AssemblyScript
import { erf } from "../src/reference/activations/erf";

/** Activation codes (the trainer passes them; see WASM_ACTIVATIONS in src/backends/wasm/trainer.ts). */
const GELU = 1;
const ELU = 2;
const TANH = 3;
const SIGMOID = 4;
const SINE = 5;
const IDENTITY = 6;

/** gelu(z) = z·Φ(z) = z·½(1 + erf(z/√2)) */
@inline function gelu(z: f64): f64 {
  return z * 0.5 * (1 + erf(z * Math.SQRT1_2));
}

/** gelu'(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π) */
@inline function geluGrad(z: f64): f64 {
  const cdf = 0.5 * (1 + erf(z * Math.SQRT1_2));
  const pdf = Math.exp(-0.5 * z * z) * 0.3989422804014327;
  return cdf + z * pdf;
}

/** elu(z) = z for z > 0, else e^z − 1 */
@inline function elu(z: f64): f64 {
  return z > 0 ? z : Math.exp(z) - 1;
}

/** elu'(z) = 1 for z > 0, else e^z */
@inline function eluGrad(z: f64): f64 {
  return z > 0 ? 1 : Math.exp(z);
}

/** tanh'(z) = 1 − tanh²(z) */
@inline function tanhGrad(z: f64): f64 {
  const t = Math.tanh(z);
  return 1 - t * t;
}

/** σ(z) = 1 / (1 + e^(−z)) */
@inline function sigmoid(z: f64): f64 {
  return 1 / (1 + Math.exp(-z));
}

/** σ'(z) = σ(z)·(1 − σ(z)) */
@inline function sigmoidGrad(z: f64): f64 {
  const s = 1 / (1 + Math.exp(-z));
  return s * (1 - s);
}

@inline function loadF64(p: usize): f64 {
  return <f64>load<f32>(p);
}

/** a[i] = f(z[i]) for i < n, f the activation `kind` (pointers in bytes). */
export function activationForward(kind: i32, z: usize, a: usize, n: i32): void {
  const end = z + (<usize>n << 2);
  const d = a - z; // a[i] is at the same offset from a as z[i] from z
  // one loop per activation, so that each inlines its function
  if (kind === GELU) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>gelu(loadF64(p)));
  else if (kind === ELU) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>elu(loadF64(p)));
  else if (kind === TANH) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>Math.tanh(loadF64(p)));
  else if (kind === SIGMOID) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>sigmoid(loadF64(p)));
  // sine (SIREN): sin(ω₀·z), ω₀ = 30
  else if (kind === SINE) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>Math.sin(30 * loadF64(p)));
  else if (kind === IDENTITY) memory.copy(a, z, <usize>n << 2);
  else unreachable();
}

/** dz[i] = da[i]·f'(z[i]) for i < n (the chain rule through f; dz may be da). */
export function activationBackward(kind: i32, z: usize, da: usize, dz: usize, n: i32): void {
  const end = z + (<usize>n << 2);
  const dDa = da - z;
  const dDz = dz - z;
  if (kind === GELU) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * geluGrad(loadF64(p))));
  else if (kind === ELU) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * eluGrad(loadF64(p))));
  else if (kind === TANH) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * tanhGrad(loadF64(p))));
  else if (kind === SIGMOID) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * sigmoidGrad(loadF64(p))));
  // sine'(z) = ω₀·cos(ω₀·z)
  else if (kind === SINE) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * (30 * Math.cos(30 * loadF64(p)))));
  else if (kind === IDENTITY) memory.copy(dz, da, <usize>n << 2);
  else unreachable();
}
