/**
 * @module
 * Loading the wasm backend's kernel module (assembly/, compiled by AssemblyScript at build time
 * into dist/backends/wasm/) and what it exports.
 */

import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import type { ActivationName } from "../../reference/activations/index.js";

/** The kernel module's exports (pointers in bytes, sizes in elements; see assembly/gemm.ts). */
export interface Kernels {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, bias: number, relu: number, mask: number): void;
  gemmNT(A: number, B: number, C: number, R: number, K: number, N: number, bias: number): void;
  transpose(M: number, T: number, R: number, N: number, ldM: number, sums: number): void;
  reluForward(z: number, a: number, n: number): void;
  reluBackward(z: number, da: number, dz: number, n: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number): void;
  activationForward(kind: number, z: number, a: number, n: number): void;
  activationBackward(kind: number, z: number, da: number, dz: number, n: number): void;
}

/**
 * The activation kernels' codes (assembly/activations.ts); ReLU has its own fused kernels.
 *
 * @example
 * ```ts
 * kernels.activationForward(WASM_ACTIVATIONS.gelu, z, a, n);
 * ```
 */
export const WASM_ACTIVATIONS: Record<Exclude<ActivationName, "relu">, number> = { gelu: 1, elu: 2, tanh: 3, sigmoid: 4, sine: 5, identity: 6 };

/** The compiled kernels and which build they are. */
export interface KernelBuild {
  readonly module: WebAssembly.Module;
  /** where the module's static data ends: buffers start at or after it */
  readonly heapBase: number;
  /** true: the relaxed-SIMD build (fused multiply-adds); false: plain SIMD (multiply, then add) */
  readonly fused: boolean;
}

let compiled: KernelBuild | null = null;

/**
 * The compiled kernel module, compiled once per process. Two builds of the same source:
 * `kernels-fma.wasm` uses relaxed SIMD's fused multiply-add, about 1.5× faster on x86-64 with FMA
 * (one instruction where the plain build needs a multiply and an add); `kernels.wasm` is plain
 * SIMD. Node 22's V8 has relaxed SIMD on; Node 20's (V8 11.3) has it behind
 * `--experimental-wasm-relaxed-simd`, which is switched on here if needed (it only adds
 * instructions to the validator). `COORDNET_WASM_FMA=0` picks the plain build.
 *
 * @example
 * ```ts
 * const { module, fused } = kernelBuild();
 * ```
 */
export function kernelBuild(): KernelBuild {
  if (compiled !== null) return compiled;
  const bytes = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url));
  let module: WebAssembly.Module | null = null;
  let fused = false;
  if (process.env.COORDNET_WASM_FMA !== "0") {
    const fma = bytes("kernels-fma.wasm");
    if (!WebAssembly.validate(fma)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (WebAssembly.validate(fma)) {
      module = new WebAssembly.Module(fma);
      fused = true;
    }
  }
  module ??= new WebAssembly.Module(bytes("kernels.wasm"));
  // ask a throwaway instance where the static data ends
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const probe = instantiate(module, memory) as unknown as { heapBase(): number };
  compiled = { module, fused, heapBase: probe.heapBase() };
  return compiled;
}

/**
 * An instance of the kernel module over `memory` (shared by every thread of one trainer).
 *
 * @example
 * ```ts
 * const kernels = instantiate(kernelBuild().module, memory);
 * ```
 */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  return new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as unknown as Kernels;
}
