/**
 * Backends: the {@link Trainer} interface every implementation of training shares, the registry
 * that finds backends by name (and `auto` by priority), the built-in backends — registered when
 * this module loads, each loading its heavy modules only when probed or created — and
 * {@link compareBackends}, the kernel check the project's own parity suite runs.
 *
 * | backend        | priority | what runs                                                        |
 * | -------------- | -------: | ---------------------------------------------------------------- |
 * | `webgpu`       |       30 | hand-written WGSL kernels, 4 dispatches a step (skipped by `auto` on a software adapter) |
 * | `wasm`         |       20 | the reference's step with WebAssembly SIMD kernels, every core |
 * | `gpujs-webgpu` |       15 | gpu.js kernels as WGSL compute shaders (`webgpu` before; skipped by `auto` on a software adapter) |
 * | `gpujs-webgl2` |       12 | gpu.js kernels as WebGL2 fragment shaders; browsers only (`webgl2` before; skipped by `auto`: not yet timed on a GPU) |
 * | `gpujs-wasm`   |       10 | gpu.js kernels compiled to WebAssembly (`webasm` before)         |
 * | `reference`    |        0 | the readable TypeScript MLP: the truth                           |
 * | `gpujs-cpu`    |      −10 | gpu.js kernels as JavaScript (for checking kernels)              |
 *
 * Adding a backend is its folder and one line below.
 *
 * @groupDescription Trainers
 * What every backend implements: a {@link Backend} makes {@link Trainer}s, which train one network.
 *
 * @groupDescription Registry
 * Find a backend by name, or let `auto` pick; list which run here and why the others do not.
 *
 * @module coordnet/backends
 */

import { gpujsCpuBackend, gpujsWasmBackend, gpujsWebgpuBackend } from "./gpujs/index.js";
import { gpujsWebgl2Backend, hasWebGL2 } from "./gpujs/webgl2.js";
import { referenceBackend } from "./reference.js";
import { registerAlias, registerBackend, registerNote } from "./registry.js";
import { wasmBackend } from "./wasm/index.js";
import { wgslBackend } from "./webgpu/index.js";

for (const backend of [wgslBackend, wasmBackend, gpujsWebgpuBackend, gpujsWasmBackend, referenceBackend, gpujsCpuBackend]) registerBackend(backend);
if (hasWebGL2()) registerBackend(gpujsWebgl2Backend);
registerAlias("webasm", "gpujs-wasm");
registerAlias("webgl2", "gpujs-webgl2");
registerNote("webgpu", "backend 'webgpu' now runs hand-written WGSL kernels; gpu.js's WebGPU kernels, which it named before, are 'gpujs-webgpu'");

export type { MemoryPart } from "../limits.js";
export { type CompareOptions, type Comparison, compareBackends, type TensorComparison, type WorstEntry } from "./compare.js";
export { gpujsCpuBackend, gpujsWasmBackend, gpujsWebgpuBackend } from "./gpujs/index.js";
export { gpujsWebgl2Backend, hasWebGL2 } from "./gpujs/webgl2.js";
export { ReferenceTrainer, referenceBackend } from "./reference.js";
export {
  type BackendProbe,
  type BackendStatus,
  BackendUnavailableError,
  backendNames,
  findBackend,
  listBackends,
  probeBackend,
  registerAlias,
  registerBackend,
  registerNote,
  requireBackend,
  resolveBackendName,
} from "./registry.js";
export type {
  Backend,
  BatchGradients,
  EpochOptions,
  EpochProgress,
  LayerWeights,
  MemoryLimit,
  OptimizerSnapshot,
  ProbeAvailable,
  ProbeResult,
  ProbeUnavailable,
  Trainer,
  TrainerInfo,
  TrainerOptions,
} from "./types.js";
export { wasmBackend } from "./wasm/index.js";
export { wgslBackend } from "./webgpu/index.js";
