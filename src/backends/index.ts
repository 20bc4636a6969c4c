/**
 * @module
 * Backends: the {@link Trainer} interface every implementation of training shares, the registry
 * that finds backends by name (and `auto` by priority), the built-in backends — registered when
 * this module loads, each loading its heavy modules only when probed or created — and
 * {@link compareBackends}, the kernel check the project's own parity suite runs.
 *
 * | backend      | priority | what runs                                                        |
 * | ------------ | -------: | ---------------------------------------------------------------- |
 * | `webgpu`     |       30 | hand-written WGSL kernels, 4 dispatches a step (skipped by `auto` on a software adapter) |
 * | `gpujs-webgpu` |     28 | gpu.js kernels as WGSL compute shaders (skipped by `auto` on a software adapter) |
 * | `webgl2`     |       25 | gpu.js kernels as WebGL2 fragment shaders; browsers only (skipped by `auto`: not yet timed on a GPU) |
 * | `wasm`       |       20 | the reference's step with WebAssembly SIMD kernels, every core |
 * | `gpujs-wasm` |       10 | gpu.js kernels compiled to WebAssembly (`webasm` before)         |
 * | `reference`  |        0 | the readable TypeScript MLP: the truth                           |
 * | `gpujs-cpu`  |      −10 | gpu.js kernels as JavaScript (for checking kernels)              |
 */

import { gpujsCpuBackend, gpujsWasmBackend, webgpuBackend } from "./gpujs/index.js";
import { hasWebGL2, webgl2Backend } from "./gpujs/webgl2.js";
import { referenceBackend } from "./reference.js";
import { registerAlias, registerBackend } from "./registry.js";
import { wasmBackend } from "./wasm/index.js";
import { wgslBackend } from "./webgpu/index.js";

for (const backend of [wgslBackend, webgpuBackend, wasmBackend, gpujsWasmBackend, referenceBackend, gpujsCpuBackend]) registerBackend(backend);
if (hasWebGL2()) registerBackend(webgl2Backend);
registerAlias("webasm", "gpujs-wasm");

export { type CompareOptions, type Comparison, compareBackends, type TensorComparison, type WorstEntry } from "./compare.js";
export { gpujsCpuBackend, gpujsWasmBackend, webgpuBackend } from "./gpujs/index.js";
export { hasWebGL2, webgl2Backend } from "./gpujs/webgl2.js";
export { ReferenceTrainer, referenceBackend } from "./reference.js";
export {
  type Backend,
  type BackendProbe,
  type BackendStatus,
  BackendUnavailableError,
  type BatchGradients,
  backendNames,
  type EpochOptions,
  type EpochProgress,
  type LayerWeights,
  listBackends,
  type OptimizerSnapshot,
  type ProbeAvailable,
  type ProbeResult,
  type ProbeUnavailable,
  probeBackend,
  registerAlias,
  registerBackend,
  requireBackend,
  resolveBackendName,
  type Trainer,
  type TrainerInfo,
  type TrainerOptions,
} from "./registry.js";
export { wasmBackend } from "./wasm/index.js";
export { wgslBackend } from "./webgpu/index.js";
