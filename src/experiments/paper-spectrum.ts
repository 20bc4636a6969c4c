/**
 * @module
 * The paper report's spectral-bias figure: `coordnet spectrum`'s image half on the paper's image,
 * at its size up to 64×64 and its length up to 30 epochs (the plain DFT and four more trainings
 * stay a small part of the paper's run).
 */

import { imageSpectrum } from "../analysis/spectrum.js";
import type { RGBImage } from "../image/png.js";
import { resample } from "../image/resample.js";
import { spectrumHeatmap } from "../plot/analysis-charts.js";

/** The largest side the report's spectrum trains at. */
const SIDE = 64;
/** The most epochs it trains. */
const EPOCHS = 30;

/**
 * The heatmap of each input kind's error per radial frequency band over training, on `image`,
 * and a sentence saying what it shows and where it was measured.
 *
 * @example
 * ```ts
 * const { svg, note } = await paperSpectrum(image, 200, "wasm");
 * ```
 */
export async function paperSpectrum(image: RGBImage, epochs: number, backend: string): Promise<{ svg: string; note: string }> {
  const scale = Math.min(1, SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const small = scale < 1 ? resample(image, width, height) : image;
  const e = Math.min(EPOCHS, epochs);
  const s = await imageSpectrum(small, { epochs: e, backend });
  const bands = s.bands.map((b) => `${b.from.toFixed(3)}–${b.to.toFixed(3)}`);
  const svg = await spectrumHeatmap(s.inputs, bands, "radial band (cycles per pixel)", `Spectral bias on this image (${width}×${height}, ${e} epochs)`);
  const raw = s.inputs.raw?.learnedAt ?? [];
  const learnt = raw.filter((x) => x !== null).length;
  const note = `The error in eight radial bands of the image's 2-D DFT after each epoch, relative to the image's own energy there (1: not learnt, 0: learnt), for raw coordinates (relu-sigmoid), positional, gaussian and siren, seed 0, batch 256, at ${width}×${height} for ${e} epochs; raw coordinates brought ${learnt} of the 8 bands below half. coordnet spectrum measures it with more options; docs/spectral-bias.md explains it.`;
  return { svg, note };
}
