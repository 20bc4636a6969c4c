/**
 * What needs a file system: PNG files, safetensors model files and checkpoints, training runs that
 * write their outputs (`run.json`, snapshots, `final.png`, `loss.svg`), and the study's report —
 * what the `coordnet` command line is built on. Node only.
 *
 * ```ts
 * import { fit } from "coordnet";
 * import { readPng, saveModel, writePng } from "coordnet/node";
 * const model = await fit(readPng("photo.png"), { preset: "positional", size: { width: 256, height: 256 } });
 * saveModel("model.safetensors", model); // `coordnet render model.safetensors --size 1024x1024 --out big.png`
 * writePng("big.png", model.render(1024, 1024));
 * ```
 *
 * @module coordnet/node
 */

import "./backends/index.js";
import { type ImageLike, toRGBImage } from "./api/image.js";
import { Model } from "./api/model.js";
import { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, encodePNG, type RGBImage, readPNG } from "./image/index.js";
import { writeFileAtomic } from "./io/atomic.js";
import { loadModel as loadModelFile } from "./io/model-file.js";

/**
 * Read a PNG file (8 or 16 bits, grey, RGB, palette, with or without alpha) as RGB floats in
 * [0, 1] — an image `fit` takes as it is. Without a path, the built-in 512×512 photograph.
 *
 * @throws ImageError with one readable line (missing file, not a PNG, corrupt, over `maxPixels`)
 *
 * @example
 * ```ts
 * const image = readPng("photo.png"); // { width, height, data: Float32Array [h][w][3] }
 * ```
 */
export function readPng(path: string = DEFAULT_IMAGE, options: { readonly maxPixels?: number } = {}): RGBImage {
  return readPNG(path, options.maxPixels ?? DEFAULT_MAX_PIXELS);
}

/**
 * Write an image as an 8-bit RGB PNG, whole or not at all (temporary file, then rename): RGBA
 * bytes as `Model.render` returns them, or RGB floats in [0, 1] as `readPng` does.
 *
 * @example
 * ```ts
 * writePng("out.png", model.render(512, 512));
 * ```
 */
export function writePng(path: string, image: ImageLike): void {
  writeFileAtomic(path, encodePNG(toRGBImage(image, Number.MAX_SAFE_INTEGER)));
}

/**
 * Save a model as safetensors, whole or not at all; `coordnet render` and PyTorch read it (see
 * `scripts/check_safetensors_torch.py`).
 *
 * @example
 * ```ts
 * saveModel("model.safetensors", model);
 * ```
 */
export function saveModel(path: string, model: Model): void {
  writeFileAtomic(path, model.toSafetensors());
}

/**
 * Load a model saved by {@link saveModel} or `coordnet train`.
 *
 * @throws ModelFileError with one readable line
 *
 * @example
 * ```ts
 * const model = loadModel("runs/quickstart/model.safetensors");
 * writePng("big.png", model.render(2048, 2048));
 * ```
 */
export function loadModel(path: string): Model {
  const { config, weights, matrix } = loadModelFile(path);
  return new Model(config, weights, matrix);
}

export { BudgetError, checkPixels } from "./budget.js";
export { type PaperOptions, type PaperResult, runPaper, snapshotEpochs } from "./experiments/paper.js";
export { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, ImageError, type RGBImage, resample } from "./image/index.js";
export * from "./index.js";
export { type Checkpoint, type EpochRecord, loadCheckpoint, type ModelFile, type RunSetup, saveCheckpoint, type TrainingPosition } from "./io/model-file.js";
export {
  type ClaimVerdict,
  type Comparison,
  type ComparisonRun,
  htmlReport,
  judgeClaims,
  markdownReport,
  type PresetStats,
  parseComparison,
  presetStats,
  type ReportInput,
  type ResultRow,
  type ResultSummary,
  type Spread,
  separation,
  spread,
  summarize,
} from "./report/report.js";
export { type BackendRecord, type ImageInfo, type Progress, type RunOptions, type RunRecord, runTraining, snapshotName } from "./training/runner.js";
