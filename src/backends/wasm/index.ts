/**
 * @module
 * The `wasm` backend's registry entry. Its kernels, memory plan and helper threads load only when
 * the backend is probed or created.
 */

import { type MemoryPart, networkUnits } from "../../limits.js";
import type { MLPSpec } from "../../reference/mlp.js";
import { checkedBackend } from "../checks.js";
import type { Backend } from "../types.js";

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
  probe: async () => (await load()).probeWasm(),
  create: async (options) => (await load()).createWasmTrainer(options),
  memory: wasmMemory,
  // 65536 pages of 64 KiB, the most one WebAssembly memory (and so the kernels) can address
  memoryLimit: { bytes: 2 ** 32, what: "WebAssembly memory" },
});

/** The wasm trainer's one WebAssembly memory: the reference's arrays plus transposed weights and scratch. */
function wasmMemory(spec: MLPSpec, batch: number): MemoryPart[] {
  const { params, outUnits, widest, sizes } = networkUnits(spec);
  return [
    { what: "weights, gradients, Adam m and v, transposed weights", bytes: 5 * params * 4 },
    { what: `activations (${spec.depth} × ${spec.width} units, batch ${batch})`, bytes: (3 * outUnits + widest + 8 + 2 + sizes[0] + spec.outputs) * batch * 4 },
  ];
}
