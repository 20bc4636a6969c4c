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
 * writePng("big.png", await model.render(1024, 1024));
 * ```
 *
 * @groupDescription Files
 * PNG images and safetensors models and checkpoints, read with a size limit and written whole (an
 * exclusive temporary file, then a rename): see the README's "Reliability".
 *
 * @groupDescription Runs
 * What `coordnet train` and `coordnet paper` do, as functions: training runs that write their outputs
 * to a folder, resumable from their checkpoints.
 *
 * @groupDescription Reports
 * The study's report: statistics over seeds, the study's claims judged, Markdown and HTML.
 *
 * @module coordnet/node
 */

import "./backends/index.js";
import { z } from "zod";
import { checkArg } from "./api/args.js";
import { type ImageLike, toRGBImage } from "./api/image.js";
import { Model } from "./api/model.js";
import { checkCheckpoint, checkPaperOptions, checkRunOptions, reportArgs } from "./api/node-args.js";
import { InvalidArgumentError, quote } from "./errors.js";
import type { PaperOptions, PaperResult } from "./experiments/paper.js";
import { runPaper as runPresets, snapshotEpochs as snapshots } from "./experiments/paper.js";
import { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, encodePNG, type RGBImage, readPNG } from "./image/index.js";
import { fileError, writeFileAtomic } from "./io/atomic.js";
import { type Checkpoint, loadCheckpoint as loadCheckpointFile, loadModel as loadModelFile, saveCheckpoint as saveCheckpointFile } from "./io/model-file.js";
import { checkPixels as checkImagePixels } from "./limits.js";
import type { ClaimVerdict } from "./report/claims.js";
import * as claims from "./report/claims.js";
import type { Comparison } from "./report/comparison.js";
import * as comparison from "./report/comparison.js";
import type { ReportInput } from "./report/render.js";
import * as render from "./report/render.js";
import type { PresetStats, ResultRow, ResultSummary, Spread } from "./report/statistics.js";
import * as statistics from "./report/statistics.js";
import { snapshotName as snapshotFile } from "./training/record.js";
import type { RunOptions, RunRecord } from "./training/runner.js";
import { runTraining as runFiles } from "./training/runner.js";

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
 *
 * @group Files
 */
export function readPng(path: string = DEFAULT_IMAGE, options: { readonly maxPixels?: number } = {}): RGBImage {
  checkArg("readPng", "path", reportArgs.path, path);
  const { maxPixels } = checkArg("readPng", "options", readOptions, options);
  return readPNG(path, maxPixels ?? DEFAULT_MAX_PIXELS);
}

const readOptions = z.strictObject(
  {
    maxPixels: z
      .number({ error: "must be a positive integer" })
      .int({ error: "must be a positive integer" })
      .min(1, { error: "must be a positive integer" })
      .optional(),
  },
  { error: "must be { maxPixels }" },
);

/**
 * Write an image as an 8-bit RGB PNG, whole or not at all (temporary file, then rename): RGBA
 * bytes as `Model.render` returns them, or RGB floats in [0, 1] as `readPng` does.
 *
 * @example
 * ```ts
 * writePng("out.png", await model.render(512, 512));
 * ```
 *
 * @group Files
 */
export function writePng(path: string, image: ImageLike): void {
  checkArg("writePng", "path", reportArgs.path, path);
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
 *
 * @group Files
 */
export function saveModel(path: string, model: Model): void {
  checkArg("saveModel", "path", reportArgs.path, path);
  if (!(model instanceof Model))
    throw new InvalidArgumentError(`saveModel: model must be a Model (from fit, loadModel or Model.fromSafetensors), got ${quote(model)}`);
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
 * writePng("big.png", await model.render(2048, 2048));
 * ```
 *
 * @group Files
 */
export function loadModel(path: string): Model {
  checkArg("loadModel", "path", reportArgs.path, path);
  const { config, weights, matrix } = loadModelFile(path);
  return new Model(config, weights, matrix);
}

export type { PaperOptions, PaperResult } from "./experiments/paper.js";
export { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, ImageError, type RGBImage, resample } from "./image/index.js";
export * from "./index.js";
export type { Checkpoint, EpochRecord, ModelFile, RunSetup, TrainingPosition } from "./io/model-file.js";
export { BudgetError } from "./limits.js";
export type { ClaimVerdict } from "./report/claims.js";
export type { Comparison, ComparisonRun } from "./report/comparison.js";
export type { ReportInput } from "./report/render.js";
export type { PresetStats, ResultRow, ResultSummary, Spread } from "./report/statistics.js";
export type { BackendRecord, HoldoutRecord, ImageInfo, Progress, RunOptions, RunRecord } from "./training/runner.js";

// Below: the entries whose work lives in folders of their own (checkpoints, runs, the study,
// reports), each behind one check of what it is given — a wrong argument is one CoordnetError
// line before any file is read or written, never a TypeError from inside.

/**
 * Refuse a `width`×`height` image (of whatever `what` names) with more than `maxPixels` pixels, or
 * with sides that are not whole numbers ≥ 1.
 *
 * @throws BudgetError (a CoordnetError) saying by how much
 *
 * @example
 * ```ts
 * checkPixels("--size", 5000, 5000, 16_000_000); // throws: --size is 5000×5000 (25.0 megapixels), above the limit …
 * ```
 *
 * @group Files
 */
export function checkPixels(what: string, width: number, height: number, maxPixels: number): void {
  checkArg("checkPixels", "what", reportArgs.string, what);
  checkArg("checkPixels", "maxPixels", pixelLimit, maxPixels);
  // numbers of any value go on to the budget's own message ("sides must be whole numbers ≥ 1"); anything else is named here
  for (const [key, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (typeof v !== "number") throw new InvalidArgumentError(`checkPixels: ${key} must be a whole number ≥ 1, got ${quote(v)}`);
  checkImagePixels(what, width, height, maxPixels);
}

const pixelLimit = z
  .number({ error: "must be a positive integer" })
  .int({ error: "must be a positive integer" })
  .min(1, { error: "must be a positive integer" });

/**
 * Read a checkpoint written by {@link saveCheckpoint} or `coordnet train`.
 *
 * @throws ModelFileError with one readable line
 *
 * @example
 * ```ts
 * const checkpoint = loadCheckpoint("runs/quickstart/checkpoint.safetensors");
 * checkpoint.position.epoch; // the epoch it stopped in
 * ```
 *
 * @group Files
 */
export function loadCheckpoint(path: string): Checkpoint {
  checkArg("loadCheckpoint", "path", reportArgs.path, path);
  return loadCheckpointFile(path);
}

/**
 * Write a checkpoint (the model, Adam's state and the training position), whole or not at all.
 * Everything in it is checked first, as {@link loadCheckpoint} would check it.
 *
 * @example
 * ```ts
 * saveCheckpoint("copy.safetensors", loadCheckpoint("runs/quickstart/checkpoint.safetensors"), VERSION);
 * ```
 *
 * @group Files
 */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, version: string): void {
  checkArg("saveCheckpoint", "path", reportArgs.path, path);
  checkCheckpoint("saveCheckpoint", "checkpoint", checkpoint);
  checkArg("saveCheckpoint", "version", reportArgs.version, version);
  saveCheckpointFile(path, checkpoint, version);
}

/**
 * Run (or resume) training and write every output file (`run.json`, `model.safetensors`,
 * `final.png`, snapshots, `loss.svg`, `checkpoint.safetensors`) into `outDir`. Returns the run
 * record; `status: "interrupted"` when `shouldStop` asked to stop (a checkpoint was written).
 *
 * @throws InvalidArgumentError for options of the wrong kind (before any file is touched);
 *   DivergenceError when the loss is not finite
 *
 * @example
 * ```ts
 * const record = await runTraining({ config: parseConfig({ training: { epochs: 20 } }), image: readPng(), imageSource: "default",
 *                                    backend: "auto", outDir: "runs/one", snapshots: [10], version: VERSION });
 * ```
 *
 * @group Runs
 */
export async function runTraining(options: RunOptions): Promise<RunRecord> {
  return runFiles(checkRunOptions(options));
}

/**
 * Run the study's presets (each from several seeds) and write `results.json`, `report.md` and
 * `report.html`; completed runs are kept, an interrupted one resumes.
 *
 * @throws InvalidArgumentError for options of the wrong kind; ConfigError for an unknown preset
 *
 * @example
 * ```ts
 * const result = await runPaper({ image: readPng(), imageSource: "default", epochs: 200, backend: "wasm", outDir: "paper", version: VERSION });
 * ```
 *
 * @group Runs
 */
export async function runPaper(options: PaperOptions): Promise<PaperResult> {
  return runPresets(checkPaperOptions(options));
}

/**
 * The study's snapshot epochs (10, 50, 100, 200 of 200) scaled to a run of `epochs` epochs.
 *
 * @example
 * ```ts
 * snapshotEpochs(200); // [10, 50, 100, 200]
 * ```
 *
 * @group Runs
 */
export function snapshotEpochs(epochs: number): number[] {
  return snapshots(checkArg("snapshotEpochs", "epochs", reportArgs.epochs, epochs));
}

/**
 * The file name of the snapshot after a (1-based) epoch.
 *
 * @example
 * ```ts
 * snapshotName(10); // "epoch-0010.png"
 * ```
 *
 * @group Runs
 */
export function snapshotName(epoch: number): string {
  return snapshotFile(checkArg("snapshotName", "epoch", reportArgs.epoch, epoch));
}

/**
 * One summary line per (preset, seed) row: name, seed, final loss, MSE, PSNR, seconds, backend.
 *
 * @example
 * ```ts
 * writeFileSync("results.json", JSON.stringify(summarize(result.rows), null, 2));
 * ```
 *
 * @group Reports
 */
export function summarize(rows: readonly ResultRow[]): ResultSummary[] {
  checkArg("summarize", "rows", reportArgs.rows, rows);
  return statistics.summarize(rows);
}

/**
 * Per preset: its seeds' MSE and PSNR spreads, mean seconds, backend.
 *
 * @example
 * ```ts
 * presetStats(result.rows).map((s) => [s.name, s.mse?.mean]);
 * ```
 *
 * @group Reports
 */
export function presetStats(rows: readonly ResultRow[]): PresetStats[] {
  checkArg("presetStats", "rows", reportArgs.rows, rows);
  return statistics.presetStats(rows);
}

/**
 * The study's claims judged against per-preset statistics.
 *
 * @example
 * ```ts
 * for (const c of judgeClaims(presetStats(rows))) console.log(c.claim, c.verdict);
 * ```
 *
 * @group Reports
 */
export function judgeClaims(stats: readonly PresetStats[]): ClaimVerdict[] {
  checkArg("judgeClaims", "stats", reportArgs.stats, stats);
  return claims.judgeClaims(stats);
}

/**
 * Mean, sample standard deviation, min and max of the finite values (null when there are none).
 *
 * @example
 * ```ts
 * spread([1, 2, 3]); // { n: 3, mean: 2, sd: 1, min: 1, max: 3 }
 * ```
 *
 * @group Reports
 */
export function spread(values: readonly (number | null)[]): Spread | null {
  checkArg("spread", "values", reportArgs.values, values);
  return statistics.spread(values);
}

/**
 * Whether two spreads are apart (`lower`, `higher`) or `overlap` (mean ± sd); null without an sd.
 *
 * @example
 * ```ts
 * separation(spread([1, 1.1]), spread([2, 2.1])); // "lower"
 * ```
 *
 * @group Reports
 */
export function separation(a: Spread | null, b: Spread | null): "lower" | "higher" | "overlap" | null {
  checkArg("separation", "a", reportArgs.spread, a);
  checkArg("separation", "b", reportArgs.spread, b);
  return statistics.separation(a, b);
}

/**
 * Read another implementation's results (the JSON `scripts/torch_paper.py` writes); `source`
 * names it in messages.
 *
 * @throws CoordnetError naming the field
 *
 * @example
 * ```ts
 * const compare = parseComparison(readFileSync("torch.json", "utf8"), "torch.json");
 * ```
 *
 * @group Reports
 */
export function parseComparison(text: string, source: string): Comparison {
  checkArg("parseComparison", "text", reportArgs.string, text);
  checkArg("parseComparison", "source", reportArgs.string, source);
  return comparison.parseComparison(text, source);
}

/**
 * The study's report as Markdown: the table, the claims, each preset's snapshots and loss.
 *
 * @example
 * ```ts
 * writeFileSync("paper/report.md", markdownReport(input));
 * ```
 *
 * @group Reports
 */
export function markdownReport(input: ReportInput): string {
  checkArg("markdownReport", "input", reportArgs.report, input);
  return render.markdownReport(input);
}

/**
 * The study's report as one HTML file, its images inlined (read from `input.outDir`).
 *
 * @throws FileError (a CoordnetError) naming an image that cannot be read
 *
 * @example
 * ```ts
 * writeFileSync("paper/report.html", await htmlReport(input));
 * ```
 *
 * @group Reports
 */
export async function htmlReport(input: ReportInput): Promise<string> {
  checkArg("htmlReport", "input", reportArgs.report, input);
  try {
    return await render.htmlReport(input);
  } catch (e) {
    const path = (e as NodeJS.ErrnoException | null)?.path;
    if (typeof path === "string") throw fileError(e, "read", path);
    throw e;
  }
}
