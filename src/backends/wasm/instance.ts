/**
 * @module
 * An instance of the kernel module over a shared memory: what the trainer's thread and every
 * helper thread make (kept apart from module.ts, which loads the kernels, so that a helper loads
 * nothing more).
 */

/**
 * An instance of the kernel module over `memory` (shared by every thread of one trainer). The
 * kernels import Math.sin and Math.cos: the Fourier-feature kernels call them where their own
 * float32 result could differ from the JavaScript encoder's (assembly/encode.ts).
 *
 * @example
 * ```ts
 * const kernels = instantiate(kernelBuild().module, memory);
 * ```
 */
export function instantiate<K = Record<string, unknown>>(module: WebAssembly.Module, memory: WebAssembly.Memory): K {
  return new WebAssembly.Instance(module, { env: { memory, abort: () => {}, sin: Math.sin, cos: Math.cos } }).exports as unknown as K;
}
