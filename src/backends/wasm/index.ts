/**
 * @module
 * The `wasm` backend's registry entry. Its kernels, memory plan and helper threads load only when
 * the backend is probed or created.
 */

import { checkedBackend } from "../../io/validate.js";
import type { Backend } from "../registry.js";

const load = () => import("./trainer.js");

/**
 * The `wasm` backend: the reference's step with WebAssembly SIMD matrix products (AssemblyScript),
 * on every core over shared memory (`COORDNET_THREADS` or `--threads` to change). `auto`'s choice
 * where no GPU answers.
 *
 * @example
 * ```ts
 * const trainer = await wasmBackend.create({ spec, adam, weights, maxBatch: 1024 });
 * ```
 */
export const wasmBackend: Backend = checkedBackend({
  name: "wasm",
  description: "the reference's step with WebAssembly SIMD matrix products (AssemblyScript, built at install)",
  priority: 20,
  probe: async () => (await load()).wasmBackend.probe(),
  create: async (options) => (await load()).wasmBackend.create(options),
});
