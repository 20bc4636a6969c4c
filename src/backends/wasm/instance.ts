/**
 * @module
 * An instance of the kernel module over a shared memory: what the trainer's thread and every
 * helper thread make (kept apart from module.ts, which loads the kernels, so that a helper loads
 * nothing more).
 */

/**
 * An instance of the kernel module over `memory` (shared by every thread of one trainer).
 *
 * @example
 * ```ts
 * const kernels = instantiate(kernelBuild().module, memory);
 * ```
 */
export function instantiate<K = Record<string, unknown>>(module: WebAssembly.Module, memory: WebAssembly.Memory): K {
  return new WebAssembly.Instance(module, { env: { memory, abort: () => {} } }).exports as unknown as K;
}
