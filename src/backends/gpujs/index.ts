/**
 * @module
 * The gpu.js backends' registry entries: one kernel set, three of gpu.js's modes. gpu.js (and, for
 * WebGPU in Node, Dawn) loads only when one of them is probed or created.
 */

import { checkedBackend } from "../../io/validate.js";
import type { Backend } from "../registry.js";

const load = () => import("./trainer.js");

/**
 * gpu.js on WebGPU: the kernels as WGSL compute shaders (in Node through Dawn, the `webgpu`
 * package). Called `webgpu` before; that name is now the hand-written WGSL trainer's.
 *
 * @example
 * ```ts
 * const { probe } = await probeBackend("gpujs-webgpu");
 * ```
 */
export const webgpuBackend: Backend = checkedBackend({
  name: "gpujs-webgpu",
  description: "gpu.js kernels as WGSL compute shaders on a WebGPU adapter",
  priority: 28,
  probe: async () => (await load()).webgpuBackend.probe(),
  create: async (options) => (await load()).GpuTrainer.create("webgpu", options, "gpujs-webgpu"),
});

/**
 * gpu.js's WebAssembly mode (kernels compiled to f32x4 SIMD, fused pipeline plans). Called
 * `webasm` before; that name still works, with a note.
 *
 * @example
 * ```ts
 * const trainer = await gpujsWasmBackend.create({ spec, adam, weights, maxBatch: 1024 });
 * ```
 */
export const gpujsWasmBackend: Backend = checkedBackend({
  name: "gpujs-wasm",
  description: "gpu.js kernels compiled to WebAssembly with SIMD",
  priority: 10,
  probe: async () => (await load()).webasmBackend.probe(),
  create: async (options) => (await load()).GpuTrainer.create("webasm", options, "gpujs-wasm"),
});

/**
 * gpu.js's JavaScript mode: kernels transpiled to JavaScript. Slow; for checking the kernels.
 *
 * @example
 * ```ts
 * const trainer = await gpujsCpuBackend.create({ spec, adam, weights, maxBatch: 64 });
 * ```
 */
export const gpujsCpuBackend: Backend = checkedBackend({
  name: "gpujs-cpu",
  description: "gpu.js kernels transpiled to JavaScript (for checking kernels, not for speed)",
  priority: -10,
  probe: async () => (await load()).gpujsCpuBackend.probe(),
  create: async (options) => (await load()).GpuTrainer.create("cpu", options, "gpujs-cpu"),
});
