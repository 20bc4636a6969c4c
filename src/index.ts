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
 * @groupDescription Training
 * {@link fit}: an image in, a trained {@link Model} out, with a callback per epoch and a stop.
 *
 * @groupDescription Training loop
 * The session loop {@link fit} runs, one epoch at a time, for a host that pauses, steps, or looks
 * at the weights between epochs (the playground's worker): {@link startSession}, then
 * {@link trainOneEpoch} until the epochs are done.
 *
 * @groupDescription Models
 * A trained network: sample it, render it at any size on any backend, save it as safetensors.
 *
 * @groupDescription Images
 * What `fit` takes and `render` gives: ImageData-shaped RGBA bytes, or RGB floats.
 *
 * @groupDescription Configs and presets
 * Every setting of a run in one validated object; the study's runs as named presets.
 *
 * @groupDescription Errors
 * Every refusal is a {@link CoordnetError} of one readable line; the subclasses say which kind.
 *
 * @groupDescription Spectral bias
 * The error at each frequency after each epoch, for raw coordinates, positional and Gaussian
 * features and SIREN: see [Spectral bias, measured](../docs/spectral-bias.md).
 *
 * @groupDescription Neural tangent kernel
 * The network's empirical NTK from the reference's backward pass, and its eigenvalues and
 * eigenvectors: how fast each pattern is learnt.
 *
 * @groupDescription Registry
 * Which backends run here, and why the others do not (see `coordnet/backends` for the rest).
 *
 * @module coordnet
 */

import "./backends/index.js";

export {
  type Band,
  bandErrors,
  type Eigen,
  type ImageSpectrum,
  type ImageSpectrumOptions,
  INPUT_KINDS,
  type InputKind,
  imageSpectrum,
  KIND_PRESETS,
  type KindKernels,
  type NtkGrid,
  type NtkOptions,
  type NtkResult,
  type NtkSpectrum,
  ntkJacobian,
  ntkKernel,
  ntkSpectra,
  SIGNAL_FREQUENCIES,
  type SignalOptions,
  type SignalSpectrum,
  type SineTarget,
  type SpectrumMatrix,
  type SpectrumOptions,
  signalSpectrum,
  sineTarget,
  symmetricEigen,
} from "./analysis/index.js";
export { type EpochInfo, type FitOptions, fit, type Size } from "./api/fit.js";
export { type ImageLike, type RGBAImage, toRGBA, toRGBImage } from "./api/image.js";
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
  type Holdout,
  type LossConfig,
  type NetworkConfig,
  type NoEncodingConfig,
  type OptimizerConfig,
  type PositionalEncodingConfig,
  parseConfig,
  type SapeEncodingConfig,
  type ScheduleConfig,
  type TrainingConfig,
} from "./config.js";
export { CoordnetError, InvalidArgumentError } from "./errors.js";
export { type HoldoutSplit, holdoutCounts, holdoutSplit } from "./holdout.js";
export type { RGBImage } from "./image/png.js";
export { resample } from "./image/resample.js";
export { ModelFileError } from "./io/model-format.js";
export { loadPreset, PAPER_PRESETS, type Preset, presetNames } from "./presets.js";
export {
  DivergenceError,
  type EpochOutcome,
  type ImageMetrics,
  imageError,
  renderImage,
  type SessionOptions,
  startSession,
  type TrainingSession,
  type TrainingState,
  trainOneEpoch,
} from "./training/loop.js";
export { VERSION } from "./version.js";
