/**
 * @module
 * `coordnet sweep`: one preset trained at several values of the Gaussian Fourier features' σ, each
 * with pixels held out, to show where the encoding stops generalising — test PSNR rises with σ
 * (underfitting → fitting) and then falls (the network fits the training pixels with frequencies
 * the image does not have), while the gap between training and test PSNR keeps growing. Each σ's
 * run goes into `sigma-S/`; completed runs are kept, so rerunning after an interruption redoes
 * nothing that finished.
 *
 * Files: `sweep.json` (every σ's train and test MSE and PSNR), `sweep.svg` (PSNR against σ on a log
 * axis, train and test), `sweep.html` (the chart and each σ's final image beside the source).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config, Holdout } from "../config.js";
import { CoordnetError } from "../errors.js";
import { encodePNG, type RGBImage } from "../image/png.js";
import { writeFileAtomic } from "../io/atomic.js";
import { inLockedFolder, OutDirError } from "../io/out-dir.js";
import { READ_LIMITS, readBoundedText } from "../io/read.js";
import { parseJson } from "../json.js";
import { sweepChart } from "../plot/charts.js";
import { escapeHtml } from "../report/html.js";
import { imageHash, type Progress, type RunRecord } from "../training/runner.js";
import { snapshotEpochs } from "./paper.js";
import { trainInRunFolder } from "./run-folder.js";

/** The σ values of Tancik et al.'s sweep, spread over two decades around their σ = 10. */
export const SWEEP_SIGMAS = [1, 3, 10, 30, 100];

/** What a sweep needs. */
export interface SweepOptions {
  /** training-size image */
  readonly image: RGBImage;
  /** where it came from */
  readonly imageSource: string;
  /** the config every run starts from (a Gaussian encoding); σ and the holdout are set per run */
  readonly config: Config;
  /** the σ values, in the order to run them */
  readonly sigmas: readonly number[];
  /** the pixels held out of every run */
  readonly holdout: Holdout;
  /** backend name (resolved, not `auto`) */
  readonly backend: string;
  /** output folder */
  readonly outDir: string;
  /** coordnet's version */
  readonly version: string;
  /** Ctrl-C */
  readonly shouldStop?: () => boolean;
  /** called when a σ's run starts, is kept or resumed */
  readonly onRun?: (sigma: number, index: number, count: number, action: "run" | "skip" | "resume") => void;
  /** progress within the running σ */
  readonly onProgress?: (p: Progress) => void;
  /** see `RunOptions.storedInputsMaxBytes` */
  readonly storedInputsMaxBytes?: number;
  /** the files the sweep was made from, never overwritten by a run */
  readonly inputs?: readonly string[];
}

/** One σ of the sweep, as `sweep.json` lists it. */
export interface SweepPoint {
  /** the Gaussian features' standard deviation */
  readonly sigma: number;
  /** MSE over the pixels trained on */
  readonly trainMse: number;
  /** PSNR (dB) over the pixels trained on */
  readonly trainPsnr: number;
  /** MSE over the held-out pixels */
  readonly testMse: number;
  /** PSNR (dB) over the held-out pixels */
  readonly testPsnr: number;
  /** training seconds */
  readonly seconds: number;
  /** the run's folder, relative to the sweep's */
  readonly dir: string;
}

/** What `sweep.json` holds. */
export interface SweepResult {
  /** `complete`, or `interrupted` while a σ ran */
  readonly status: "complete" | "interrupted";
  /** the image and its training size */
  readonly image: { readonly source: string; readonly width: number; readonly height: number };
  /** the holdout of every run */
  readonly holdout: Holdout;
  /** epochs of each run */
  readonly epochs: number;
  /** the backend that ran */
  readonly backend: string;
  /** one entry per σ, in the order run */
  readonly points: SweepPoint[];
  /** the σ of the highest test PSNR, and whether it is neither the smallest nor the largest σ tried */
  readonly best: { readonly sigma: number; readonly testPsnr: number; readonly interior: boolean } | null;
}

/** A σ as a folder name: `sigma-10`, `sigma-0.5`. */
export const sigmaDir = (sigma: number) => `sigma-${sigma}`;

function configFor(options: SweepOptions, sigma: number): Config {
  const { encoding } = options.config;
  if (encoding.type !== "gaussian") throw new CoordnetError(`a σ sweep needs the gaussian encoding; this config's is ${encoding.type}`);
  return { ...options.config, encoding: { ...encoding, sigma }, training: { ...options.config.training, holdout: options.holdout } };
}

function completed(file: string, config: Config, options: SweepOptions): RunRecord | null {
  if (!existsSync(file)) return null;
  const record = parseJson(
    readBoundedText(file, "run record", READ_LIMITS.json),
    (reason) => new OutDirError(`${file} ${reason}; remove it to rerun that σ`),
  ) as RunRecord;
  const same =
    record.status === "complete" &&
    typeof record.testPsnr === "number" &&
    JSON.stringify(record.config) === JSON.stringify(config) &&
    record.image.source === options.imageSource &&
    record.image.width === options.image.width &&
    record.image.height === options.image.height &&
    // the same pixels, not only the same path (a repainted PNG is run again); older records have no hash
    (record.image.hash === undefined || record.image.hash === imageHash(options.image));
  return same ? record : null;
}

/**
 * Train one run per σ (each with the holdout) and write `sweep.json`, `sweep.svg` and `sweep.html`.
 *
 * @example
 * ```ts
 * const result = await runSweep({ image, imageSource: "default", config, sigmas: SWEEP_SIGMAS, holdout: "every-other", backend: "wasm", outDir: "sweep", version });
 * ```
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const sigmas = [...new Set(options.sigmas)];
  for (const sigma of sigmas) configFor(options, sigma); // refused before the folder is touched
  return inLockedFolder(options.outDir, async () => {
    const points: SweepPoint[] = [];
    const snapshots = snapshotEpochs(options.config.training.epochs);
    for (const [index, sigma] of sigmas.entries()) {
      const config = configFor(options, sigma);
      const dir = join(options.outDir, sigmaDir(sigma));
      let record = completed(join(dir, "run.json"), config, options);
      if (record !== null) options.onRun?.(sigma, index, sigmas.length, "skip");
      else {
        record = await trainInRunFolder(options, config, dir, snapshots, (action) => options.onRun?.(sigma, index, sigmas.length, action));
        if (record.status === "interrupted") return summary(options, points, "interrupted");
      }
      points.push({
        sigma,
        trainMse: record.mse as number,
        trainPsnr: record.psnr as number,
        testMse: record.testMse as number,
        testPsnr: record.testPsnr as number,
        seconds: record.trainingSeconds,
        dir: sigmaDir(sigma),
      });
    }
    const result = summary(options, points, "complete");
    // the source, the chart and the page last: a sweep stopped early leaves no stray files
    writeFileAtomic(join(options.outDir, "source.png"), encodePNG(options.image));
    writeFileAtomic(join(options.outDir, "sweep.json"), `${JSON.stringify(result, null, 2)}\n`);
    const chart = await sweepChart(points, `Train and test PSNR against σ (${options.image.width}×${options.image.height}, holdout ${options.holdout})`);
    writeFileAtomic(join(options.outDir, "sweep.svg"), chart);
    writeFileAtomic(join(options.outDir, "sweep.html"), sweepHtml(options, result, chart));
    return result;
  });
}

function summary(options: SweepOptions, points: SweepPoint[], status: SweepResult["status"]): SweepResult {
  const top = points.reduce<SweepPoint | null>((a, p) => (a === null || p.testPsnr > a.testPsnr ? p : a), null);
  const sorted = points.map((p) => p.sigma).sort((a, b) => a - b);
  return {
    status,
    image: { source: options.imageSource, width: options.image.width, height: options.image.height },
    holdout: options.holdout,
    epochs: options.config.training.epochs,
    backend: options.backend,
    points,
    best: top === null ? null : { sigma: top.sigma, testPsnr: top.testPsnr, interior: top.sigma !== sorted[0] && top.sigma !== sorted[sorted.length - 1] },
  };
}

function sweepHtml(options: SweepOptions, result: SweepResult, chart: string): string {
  const png = (path: string) => `data:image/png;base64,${readFileSync(join(options.outDir, path)).toString("base64")}`;
  const rows = result.points
    .map(
      (p) =>
        `<tr${p.sigma === result.best?.sigma ? ' class="best"' : ""}><td>${p.sigma}</td><td>${p.trainPsnr.toFixed(2)}</td><td>${p.testPsnr.toFixed(2)}</td><td>${(p.trainPsnr - p.testPsnr).toFixed(2)}</td><td>${p.seconds.toFixed(1)}</td></tr>`,
    )
    .join("\n");
  const figures = result.points
    .map(
      (p) =>
        `<figure><img src="${png(`${p.dir}/final.png`)}" alt="σ = ${p.sigma}"><figcaption>σ = ${p.sigma}: test ${p.testPsnr.toFixed(2)} dB</figcaption></figure>`,
    )
    .join("");
  const title = `coordnet: Gaussian Fourier features, σ swept with held-out pixels`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; } th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
tr.best td { background: #eef7ee; font-weight: 600; } .grid { display: flex; flex-wrap: wrap; gap: 0.6rem; }
figure { margin: 0; text-align: center; } figcaption { font-size: 0.85rem; color: #444; }
img { width: 200px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; } svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>${title}</h1>
<p>Image: ${escapeHtml(result.image.source)} at ${result.image.width}×${result.image.height}; holdout ${escapeHtml(String(result.holdout))}; ${result.epochs} epochs per σ on ${escapeHtml(result.backend)}; coordnet ${escapeHtml(options.version)}. Training PSNR is over the pixels trained on, test PSNR over the held-out ones, from the same prediction.</p>
<table><thead><tr><th>σ</th><th>train PSNR (dB)</th><th>test PSNR (dB)</th><th>gap (dB)</th><th>training (s)</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Highest test PSNR at σ = ${result.best?.sigma} (${result.best?.interior ? "inside the range tried" : "at an end of the range tried"}).</p>
<div>${chart}</div>
<h2>The network's image at each σ, and the source</h2>
<div class="grid">${figures}<figure><img src="${png("source.png")}" alt="source"><figcaption>source</figcaption></figure></div>
</body></html>
`;
}
