/**
 * @module
 * The gpu.js backends, each described once here (name, priority, probe, memory): one kernel set,
 * three of gpu.js's modes (the fourth, WebGL2, is in `webgl2.ts`, registered where a browser has
 * it). Their names start with `gpujs-`: the kernels are gpu.js's, transpiled from JavaScript, not
 * written by hand. gpu.js (and, for WebGPU in Node, Dawn) loads only when one of them is probed or
 * created.
 */

import { kernelOutputMemory } from "../../limits.js";
import { checkedBackend } from "../checks.js";
import type { Backend } from "../types.js";

const load = () => import("./trainer.js");

/**
 * gpu.js on WebGPU: the kernels as WGSL compute shaders (in Node through Dawn, the `webgpu`
 * package). Called `webgpu` before the hand-written WGSL trainer took that name. Below `wasm` in
 * `auto`'s order: measured slower than hand-written kernels (README, "Backends").
 *
 * @example
 * ```ts
 * const { probe } = await probeBackend("gpujs-webgpu");
 * ```
 */
export const gpujsWebgpuBackend: Backend = checkedBackend({
  name: "gpujs-webgpu",
  description: "gpu.js kernels as WGSL compute shaders on a WebGPU adapter",
  priority: 15,
  probe: async () => (await load()).probeMode("webgpu"),
  create: async (options) => (await load()).GpuTrainer.create("webgpu", options, "gpujs-webgpu"),
  memory: kernelOutputMemory,
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
  probe: async () => (await load()).probeMode("webasm"),
  create: async (options) => (await load()).GpuTrainer.create("webasm", options, "gpujs-wasm"),
  memory: kernelOutputMemory,
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
  probe: async () => (await load()).probeMode("cpu"),
  create: async (options) => (await load()).GpuTrainer.create("cpu", options, "gpujs-cpu"),
  memory: kernelOutputMemory,
});
