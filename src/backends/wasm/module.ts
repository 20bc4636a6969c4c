/**
 * @module
 * Loading the wasm backend's kernel module (assembly/, compiled by AssemblyScript at build time
 * into dist/backends/wasm/) and what it exports.
 */

import type { ActivationName } from "../../reference/activations/index.js";
import { ELU, GELU, IDENTITY, RELU, SIGMOID, SINE, TANH } from "./activation-codes.js";
import { enableRelaxedSimd, env, kernelBytes } from "./host.js";
import { instantiate as instantiateModule } from "./instance.js";

/** The kernel module's exports (pointers in bytes, sizes in elements; see assembly/gemm.ts). */
export interface Kernels {
  gemm(A: number, B: number, C: number, R: number, K: number, N: number, sAr: number, sAk: number, bias: number, act: number, aOut: number, dIn: number): void;
  gemmNT(A: number, B: number, C: number, R: number, K: number, N: number, bias: number): void;
  transpose(M: number, T: number, R: number, N: number, ldM: number, sums: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number): void;
  activationForward(kind: number, z: number, a: number, n: number): void;
  activationBackward(kind: number, d: number, da: number, dz: number, n: number): void;
  positionalEncode(points: number, out: number, n: number, L: number, includeInput: number): void;
  gaussianEncode(points: number, Bcols: number, out: number, n: number, m: number): void;
}

/**
 * The activation kernels' codes by activation name (activation-codes.ts, which the kernels import
 * too; 0 is "no activation" in gemm's epilogue).
 *
 * @example
 * ```ts
 * kernels.activationForward(WASM_ACTIVATIONS.gelu, z, a, n);
 * ```
 */
export const WASM_ACTIVATIONS: Record<ActivationName, number> = {
  relu: RELU,
  gelu: GELU,
  elu: ELU,
  tanh: TANH,
  sigmoid: SIGMOID,
  sine: SINE,
  identity: IDENTITY,
};

/**
 * Whether the kernels compute an activation's derivative from its output a = f(z) (ELU: a + 1
 * below 0, tanh: 1 − a², sigmoid: a·(1 − a), each cheaper than f itself) rather than from z
 * (assembly/activations.ts): the trainer hands the backward that array.
 *
 * @example
 * ```ts
 * const d = DERIVATIVE_FROM_A[act] ? layer.aNext : layer.z;
 * ```
 */
export const DERIVATIVE_FROM_A: Readonly<Record<ActivationName, boolean>> = {
  relu: false,
  gelu: false,
  elu: true,
  tanh: true,
  sigmoid: true,
  sine: false,
  identity: false,
};

/** The compiled kernels and which build they are. */
export interface KernelBuild {
  readonly module: WebAssembly.Module;
  /** where the module's static data ends: buffers start at or after it */
  readonly heapBase: number;
  /** true: the relaxed-SIMD build (fused multiply-adds); false: plain SIMD (multiply, then add) */
  readonly fused: boolean;
}

let compiled: KernelBuild | null = null;

type Bytes = Uint8Array | Promise<Uint8Array>;

/** Compile the builds from their bytes (see {@link kernelBuild}); null when bytes are still on their way. */
function compile(fma: Uint8Array | null, plain: () => Bytes): KernelBuild | Promise<KernelBuild> {
  let module: WebAssembly.Module | null = null;
  let fused = false;
  if (fma !== null) {
    if (!WebAssembly.validate(fma)) enableRelaxedSimd();
    if (WebAssembly.validate(fma)) {
      module = new WebAssembly.Module(fma);
      fused = true;
    }
  }
  const finish = (m: WebAssembly.Module): KernelBuild => {
    // ask a throwaway instance where the static data ends
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const probe = instantiateModule<{ heapBase(): number }>(m, memory);
    compiled = { module: m, fused, heapBase: probe.heapBase() };
    return compiled;
  };
  if (module !== null) return finish(module);
  const bytes = plain();
  return bytes instanceof Uint8Array ? finish(new WebAssembly.Module(bytes)) : bytes.then((b) => finish(new WebAssembly.Module(b)));
}

const wantFma = () => env("COORDNET_WASM_FMA") !== "0";

/**
 * The compiled kernel module, compiled once per process. Two builds of the same source:
 * `kernels-fma.wasm` uses relaxed SIMD's fused multiply-add, about 1.5× faster on x86-64 with FMA
 * (one instruction where the plain build needs a multiply and an add); `kernels.wasm` is plain
 * SIMD. Node 22's V8 has relaxed SIMD on; Node 20's (V8 11.3) has it behind
 * `--experimental-wasm-relaxed-simd`, which is switched on here if needed (it only adds
 * instructions to the validator). `COORDNET_WASM_FMA=0` picks the plain build. In a browser the
 * kernels are fetched: call {@link loadKernels} first.
 *
 * @example
 * ```ts
 * const { module, fused } = kernelBuild();
 * ```
 */
export function kernelBuild(): KernelBuild {
  if (compiled !== null) return compiled;
  const fma = wantFma() ? kernelBytes("kernels-fma.wasm") : null;
  if (fma instanceof Promise) throw new Error("the wasm kernels are fetched in a browser: await loadKernels() first");
  const build = compile(fma, () => kernelBytes("kernels.wasm"));
  if (build instanceof Promise) throw new Error("the wasm kernels are fetched in a browser: await loadKernels() first");
  return build;
}

let loading: Promise<KernelBuild> | null = null;

/**
 * {@link kernelBuild}, where the kernels may have to be fetched (in a browser): resolves once they
 * are compiled.
 *
 * @example
 * ```ts
 * const { fused } = await loadKernels();
 * ```
 */
export function loadKernels(): Promise<KernelBuild> {
  if (compiled !== null) return Promise.resolve(compiled);
  loading ??= (async () => compile(wantFma() ? await kernelBytes("kernels-fma.wasm") : null, () => kernelBytes("kernels.wasm")))();
  return loading;
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
  return instantiateModule<Kernels>(module, memory);
}
