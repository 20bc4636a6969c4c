// The hidden and output activations other than ReLU (which is fused into the matrix products),
// elementwise over f32 arrays: each value is computed in f64 by the reference's own functions
// (src/reference/activations/*.ts, typed so that they mean the same in TypeScript and in
// AssemblyScript, where `number` is f64) and rounded once on store, as the reference does. exp,
// tanh, sin and cos are AssemblyScript's (musl's algorithms), which may differ from V8's Math
// functions in the last bit of a double; rounding to f32 hides that in all but rare cases (≤ 1 f32
// ulp, as the kernel tests check).

import { elu, eluGrad } from "../src/reference/activations/elu";
import { gelu, geluGrad } from "../src/reference/activations/gelu";
import { sigmoid, sigmoidGrad } from "../src/reference/activations/sigmoid";
import { sine, sineGrad } from "../src/reference/activations/sine";
import { tanh, tanhGrad } from "../src/reference/activations/tanh";

/** Activation codes (the trainer passes them; see WASM_ACTIVATIONS in src/backends/wasm/module.ts). */
const GELU = 1;
const ELU = 2;
const TANH = 3;
const SIGMOID = 4;
const SINE = 5;
const IDENTITY = 6;

@inline function loadF64(p: usize): f64 {
  return <f64>load<f32>(p);
}

/** a[i] = f(z[i]) for i < n, f the activation `kind` (pointers in bytes). */
export function activationForward(kind: i32, z: usize, a: usize, n: i32): void {
  const end = z + (<usize>n << 2);
  const d = a - z; // a[i] is at the same offset from a as z[i] from z
  // one loop per activation, so that each can inline its function
  if (kind === GELU) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>gelu(loadF64(p)));
  else if (kind === ELU) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>elu(loadF64(p)));
  else if (kind === TANH) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>tanh(loadF64(p)));
  else if (kind === SIGMOID) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>sigmoid(loadF64(p)));
  else if (kind === SINE) for (let p = z; p < end; p += 4) store<f32>(p + d, <f32>sine(loadF64(p)));
  // identity: a copy (the reference's identity, value for value)
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
  else if (kind === SINE) for (let p = z; p < end; p += 4) store<f32>(p + dDz, <f32>(loadF64(p + dDa) * sineGrad(loadF64(p))));
  // identity'(z) = 1: da·1 = da, a copy
  else if (kind === IDENTITY) memory.copy(dz, da, <usize>n << 2);
  else unreachable();
}
