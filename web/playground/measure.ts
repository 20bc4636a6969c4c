// ---- the lab's numbers, computed in the training worker at each reconstruction -----------------
// Train and test PSNR (the test over the held-out pixels, when the run holds some out) and the
// error per frequency band (the library's bandErrors: imageSpectrum's column for one prediction).
import { bandErrors, type RGBImage, type TrainingSession } from "coordnet";

/** The spectrum's radial bands (imageSpectrum's default). */
export const BANDS = 8;
/** The most pixels the spectrum is measured for: its DFTs grow as W·H·(W + H) (128×128: 0.1 s). */
export const SPECTRUM_MAX_PIXELS = 128 * 128;
/** The most pixels whose predictions the worker sends the page (the test reads them back). */
const PREDICTION_MAX_PIXELS = 128 * 128;

export interface Measure {
  epoch: number;
  /** PSNR over the pixels trained on (every pixel without a holdout), dB */
  trainPsnr: number;
  /** PSNR over the held-out pixels, or null without a holdout */
  testPsnr: number | null;
  /** relative error per band, lowest first; null above SPECTRUM_MAX_PIXELS */
  bands: number[] | null;
  /** the clamped prediction it was measured on, row-major [H][W][3] (null when large) */
  prediction: Float32Array | null;
}

/** The mean squared error over some pixels' three channels (every pixel when null). */
export function mseOver(p: Float32Array, t: Float32Array, pixels: Uint32Array | null): number {
  let sum = 0;
  let n = 0;
  const count = pixels === null ? p.length / 3 : pixels.length;
  for (let i = 0; i < count; i++) {
    const k = pixels === null ? i : pixels[i];
    for (let c = 0; c < 3; c++) sum += (p[k * 3 + c] - t[k * 3 + c]) ** 2;
    n += 3;
  }
  return sum / n;
}

/** PSNR (peak 1) of a mean squared error. */
export const psnrOf = (mse: number): number => 10 * Math.log10(1 / mse);

/** PSNR (peak 1) of the mean squared error over some pixels' three channels. */
function psnrOver(p: Float32Array, t: Float32Array, pixels: Uint32Array | null): number {
  return psnrOf(mseOver(p, t, pixels));
}

/** The measures of a prediction (already clamped to [0, 1], as renderImage gives it). */
export function measure(s: TrainingSession, rgb: RGBImage, target: RGBImage, epoch: number): Measure {
  const pixels = target.width * target.height;
  const split = s.split;
  return {
    epoch,
    trainPsnr: psnrOver(rgb.data, target.data, split === null ? null : split.train),
    testPsnr: split === null ? null : psnrOver(rgb.data, target.data, split.test),
    bands: pixels <= SPECTRUM_MAX_PIXELS ? bandErrors(rgb.data, target.data, target.width, target.height, BANDS) : null,
    prediction: pixels <= PREDICTION_MAX_PIXELS ? Float32Array.from(rgb.data) : null,
  };
}
