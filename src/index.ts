/**
 * coordnet: coordinate networks in TypeScript. A small MLP f(x, y) → (r, g, b) learns an image
 * from its pixel coordinates, and is then a continuous image you can render at any size.
 *
 * This entry point is the high-level API, in Node and in browsers: {@link fit} trains on an
 * ImageData-shaped image in memory and returns a {@link Model} (`predict`, `render`,
 * `toSafetensors`). The other entry points:
 *
 * - `coordnet/reference` — the readable MLP with manual backprop (a folder that stands alone);
 * - `coordnet/encoding` — coordinate normalisation, positional encoding, Fourier features;
 * - `coordnet/backends` — the registry, the built-in backends, `compareBackends`;
 * - `coordnet/node` — files: PNG, safetensors, training runs with their outputs, the study's report.
 *
 * ```ts
 * import { fit } from "coordnet";
 * const model = await fit(image, { preset: "positional", epochs: 50 });
 * const { width, height, data } = await model.render(512, 512);
 * ```
 *
 * @module coordnet
 */

import "./backends/index.js";

export { type EpochInfo, type FitOptions, fit, type Size } from "./api/fit.js";
export type { ImageLike, RGBAImage } from "./api/image.js";
export { type EvaluateOptions, Model, type TrainingSummary } from "./api/model.js";
export {
  type BackendStatus,
  BackendUnavailableError,
  type CompareOptions,
  type Comparison,
  compareBackends,
  listBackends,
  type TensorComparison,
  type WorstEntry,
} from "./backends/index.js";
export {
  applyOverrides,
  type Config,
  ConfigError,
  type ConfigOverrides,
  type EncodingConfig,
  type GaussianEncodingConfig,
  type LossConfig,
  type NetworkConfig,
  type NoEncodingConfig,
  type OptimizerConfig,
  type PositionalEncodingConfig,
  parseConfig,
  type ScheduleConfig,
  type TrainingConfig,
} from "./config.js";
export { CoordnetError, InvalidArgumentError } from "./errors.js";
export { ModelFileError } from "./io/model-format.js";
export { loadPreset, PAPER_PRESETS, type Preset, presetNames } from "./presets.js";
export { DivergenceError } from "./training/loop.js";
export { VERSION } from "./version.js";
