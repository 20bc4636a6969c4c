/**
 * Spectral bias, measured: the error at each frequency over training, and the network's neural
 * tangent kernel. Browser-safe (no Node module). Read beside the tutorial
 * [Spectral bias, measured](../../docs/spectral-bias.md).
 *
 * @module
 */

export { amplitudes, type Band, bandOfBins, power2D, radialBands } from "./dft.js";
export { checkKinds, type Encoder1D, encoder1D, float64MLP, INPUT_KINDS, type InputKind, initialWeightsFor, KIND_PRESETS, kindConfig } from "./kinds.js";
export { type Eigen, ntkJacobian, ntkKernel, symmetricEigen } from "./ntk.js";
export { type KindKernels, type NtkGrid, type NtkOptions, type NtkResult, type NtkSpectrum, ntkSpectra } from "./ntk-spectra.js";
export {
  bandErrors,
  type ImageSpectrum,
  type ImageSpectrumOptions,
  imageSpectrum,
  learnedAt,
  SIGNAL_FREQUENCIES,
  type SignalOptions,
  type SignalSpectrum,
  type SineTarget,
  type SpectrumMatrix,
  type SpectrumOptions,
  signalSpectrum,
  sineTarget,
} from "./spectrum.js";
