/**
 * coordnet: coordinate networks in TypeScript. A small MLP f(x, y) → (r, g, b) learns an image
 * from its pixel coordinates.
 *
 * - `reference`: the readable MLP with manual backprop (activations, dense layer, MSE, Adam).
 * - `encoding`: coordinate normalisation, positional encoding, Gaussian Fourier features.
 * - `config`: models described as validated JSON; `presets`: the study's experiments as configs.
 * - `backend`: the trainer interface every backend implements, and the backend registry.
 * - `gpu`: the gpu.js backend (`webgpu`, `webasm`, `gpujs-cpu`): kernels, device setup, trainer.
 * - `image`: PNG in and out, resampling; `io`: safetensors model files and checkpoints.
 * - `training`: the run loop; `experiments` and `report`: the study's table and figures.
 *
 * @module
 */

export * from "./backends/batches.js";
export * from "./backends/gpujs/device.js";
export * from "./backends/gpujs/kernels.js";
export * from "./backends/gpujs/trainer.js";
export * from "./backends/registry.js";
export * from "./backends/wasm/trainer.js";
export * from "./budget.js";
export * from "./config.js";
export * from "./encoding/index.js";
export * from "./experiments/paper.js";
export * from "./image/index.js";
export * from "./io/atomic.js";
export * from "./io/model-file.js";
export * from "./io/safetensors.js";
export * from "./io/validate.js";
export * from "./model.js";
export * from "./presets.js";
export * from "./reference/index.js";
export * from "./report/plot.js";
export * from "./report/report.js";
export * from "./training/runner.js";
export * from "./training/shuffle.js";
