/**
 * @module
 * `coordnet paper`: every preset of the study (and beyond) on one image, each trained from several
 * seeds (0 … K − 1, in `PRESET/seed-N/`), then the report. Completed (preset, seed) runs are kept:
 * rerunning after an interruption redoes nothing that finished and resumes the run that was cut
 * short from its checkpoint.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Holdout } from "../config.js";
import { encodePNG, type RGBImage } from "../image/png.js";
import { writeFileAtomic } from "../io/atomic.js";
import { inLockedFolder, OutDirError } from "../io/out-dir.js";
import { READ_LIMITS, readBoundedText } from "../io/read.js";
import { parseJson } from "../json.js";
import { loadPreset, PAPER_PRESETS, type Preset } from "../presets.js";
import type { Comparison } from "../report/comparison.js";
import { htmlReport, markdownReport } from "../report/render.js";
import { type ResultRow, summarize } from "../report/statistics.js";
import { imageHash, type Progress, type RunOptions, type RunRecord } from "../training/runner.js";
import { paperSpectrum } from "./paper-spectrum.js";
import { trainInRunFolder } from "./run-folder.js";

/** What `paper` needs. */
export interface PaperOptions {
  /** training-size image */
  readonly image: RGBImage;
  /** where it came from */
  readonly imageSource: string;
  /** epochs per preset (the study: 200) */
  readonly epochs: number;
  /** backend name (resolved, not `auto`) */
  readonly backend: string;
  /** output folder */
  readonly outDir: string;
  /** coordnet's version */
  readonly version: string;
  /** presets to run (default: all, in the study's order); a name given twice runs once */
  readonly presets?: readonly string[];
  /** seeds per preset: each preset is trained from seeds 0 … seeds − 1 (default 3) */
  readonly seeds?: number;
  /** hold these pixels out of every run and report their PSNR (the report's generalisation table) */
  readonly holdout?: Holdout;
  /** another implementation's results on the same image (`coordnet paper --compare`), put beside coordnet's */
  readonly compare?: Comparison;
  /** Ctrl-C */
  readonly shouldStop?: () => boolean;
  /** called when a (preset, seed) run starts, is skipped or resumed; `index` counts runs, of `count` */
  readonly onPreset?: (preset: Preset, index: number, count: number, action: "run" | "skip" | "resume", seed: number) => void;
  /** progress within the running preset */
  readonly onProgress?: (p: Progress) => void;
  /** see {@link RunOptions.storedInputsMaxBytes} */
  readonly storedInputsMaxBytes?: number;
  /** see {@link RunOptions.inputs}: the files the study was made from, never overwritten by a run */
  readonly inputs?: readonly string[];
}

/** The outcome of `paper`. */
export interface PaperResult {
  /** `complete`, or `interrupted` while running a preset */
  readonly status: "complete" | "interrupted";
  /** completed rows, one per (preset, seed) */
  readonly rows: ResultRow[];
}

/**
 * The study's snapshot epochs (10, 50, 100, 200 of 200) scaled to a run of `epochs` epochs.
 *
 * @example
 * ```ts
 * snapshotEpochs(200); // [10, 50, 100, 200]
 * snapshotEpochs(5); // [1, 2, 3, 5]
 * ```
 */
export function snapshotEpochs(epochs: number): number[] {
  if (epochs <= 0) return [];
  const picks = [0.05, 0.25, 0.5, 1].map((f) => Math.max(1, Math.round(f * epochs)));
  return [...new Set(picks)];
}

function sameRun(record: RunRecord, config: Preset["config"], options: PaperOptions): boolean {
  return (
    record.status === "complete" &&
    // a run that "completed" with MSE NaN (run.json says null) before divergence was refused is run again
    typeof record.mse === "number" &&
    Number.isFinite(record.mse) &&
    JSON.stringify(record.config) === JSON.stringify(config) &&
    record.image.source === options.imageSource &&
    record.image.width === options.image.width &&
    record.image.height === options.image.height &&
    // the same pixels, not only the same path (a repainted PNG is run again); older records have no hash
    (record.image.hash === undefined || record.image.hash === imageHash(options.image))
  );
}

/**
 * Run the presets and write `results.json`, `report.md` and `report.html`.
 *
 * @example
 * ```ts
 * const result = await runPaper({ image, imageSource: "default", epochs: 200, backend: "reference", outDir: "paper", version: "0.1.0" });
 * ```
 */
export async function runPaper(options: PaperOptions): Promise<PaperResult> {
  // a repeated name is one preset: run twice, its second run would find the first one's results and count them as more seeds
  const names = [...new Set(options.presets ?? PAPER_PRESETS)];
  const presets = names.map(loadPreset);
  const seeds = options.seeds ?? 3;
  if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`seeds must be a positive integer, got ${seeds}`);
  const snapshots = snapshotEpochs(options.epochs);
  return inLockedFolder(options.outDir, async () => {
    return runPresets(options, presets, seeds, snapshots);
  });
}

function readRecord(path: string): RunRecord {
  const text = readBoundedText(path, "run record", READ_LIMITS.json);
  return parseJson(text, (reason) => new OutDirError(`${path} ${reason}; remove it to rerun that preset`)) as RunRecord;
}

async function runPresets(options: PaperOptions, presets: Preset[], seeds: number, snapshots: number[]): Promise<PaperResult> {
  const rows: ResultRow[] = [];
  const count = presets.length * seeds;
  let index = 0;
  for (const preset of presets) {
    for (let seed = 0; seed < seeds; seed++, index++) {
      const rel = `${preset.name}/seed-${seed}`;
      const dir = join(options.outDir, rel);
      const training = { ...preset.config.training, epochs: options.epochs, seed, ...(options.holdout === undefined ? {} : { holdout: options.holdout }) };
      const config = { ...preset.config, training };
      const runFile = join(dir, "run.json");
      if (existsSync(runFile)) {
        const record = readRecord(runFile);
        if (sameRun(record, config, options)) {
          options.onPreset?.(preset, index, count, "skip", seed);
          rows.push({ preset, seed, record, dir: rel });
          continue;
        }
      }
      const record = await trainInRunFolder(options, config, dir, snapshots, (action) => options.onPreset?.(preset, index, count, action, seed));
      if (record.status === "interrupted") return { status: "interrupted", rows };
      rows.push({ preset, seed, record, dir: rel });
    }
  }
  const input = {
    outDir: options.outDir,
    rows,
    snapshotEpochs: snapshots,
    sourcePng: "source.png",
    image: { source: options.imageSource, width: options.image.width, height: options.image.height },
    generator: `coordnet ${options.version}, ${options.epochs} epochs per preset, seeds 0–${seeds - 1}, backend ${rows[0]?.record.backend.name ?? options.backend}, Node ${process.version}`,
    compare: options.compare,
    spectrum: { file: "spectrum-image.svg", ...(await paperSpectrum(options.image, options.epochs, rows[0]?.record.backend.name ?? options.backend)) },
  };
  // the source last, with the report: a run refused or stopped early leaves no stray files
  writeFileAtomic(join(options.outDir, "source.png"), encodePNG(options.image));
  writeFileAtomic(join(options.outDir, "spectrum-image.svg"), input.spectrum.svg);
  writeFileAtomic(join(options.outDir, "results.json"), `${JSON.stringify(summarize(rows), null, 2)}\n`);
  writeFileAtomic(join(options.outDir, "report.md"), markdownReport(input));
  writeFileAtomic(join(options.outDir, "report.html"), await htmlReport(input));
  return { status: "complete", rows };
}
