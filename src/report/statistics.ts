/**
 * @module
 * The `paper` report's statistics: every seed's run as a row of `results.json`, each preset's
 * spread (mean ± sd, min–max) over its seeds, how two spreads stand, and the best preset.
 */

import type { Preset } from "../presets.js";
import type { RunRecord } from "../training/record.js";

/** One row of the results: a preset, the seed it was trained from, and its completed run. */
export interface ResultRow {
  /** the preset */
  readonly preset: Preset;
  /** the seed of this run (`config.training.seed`) */
  readonly seed: number;
  /** its run record */
  readonly record: RunRecord;
  /** its output folder, relative to the report's folder */
  readonly dir: string;
}

/** A row of `results.json`: one (preset, seed) run. */
export interface ResultSummary {
  /** preset name */
  readonly name: string;
  /** preset title */
  readonly title: string;
  /** `study` or `beyond` */
  readonly group: string;
  /** the run's seed */
  readonly seed: number;
  /** last epoch's mean training loss */
  readonly finalLoss: number | null;
  /** full-image MSE (clamped predictions) */
  readonly mse: number | null;
  /** PSNR in dB */
  readonly psnr: number | null;
  /** MSE over the held-out pixels (runs with a holdout; `mse` is then over the training pixels) */
  readonly testMse: number | null;
  /** PSNR in dB over the held-out pixels */
  readonly testPsnr: number | null;
  /** training seconds */
  readonly seconds: number;
  /** backend that ran */
  readonly backend: string;
}

/**
 * The rows of `results.json`: every seed's run, in table order.
 *
 * @example
 * ```ts
 * writeFileSync("results.json", JSON.stringify(summarize(rows), null, 2));
 * ```
 */
export function summarize(rows: readonly ResultRow[]): ResultSummary[] {
  return rows.map(({ preset, seed, record }) => ({
    name: preset.name,
    title: preset.title,
    group: preset.group,
    seed,
    finalLoss: record.finalLoss,
    mse: record.mse,
    psnr: record.psnr,
    testMse: record.testMse ?? null,
    testPsnr: record.testPsnr ?? null,
    seconds: record.trainingSeconds,
    backend: record.backend.name,
  }));
}

/** Mean, sample standard deviation (n − 1; `null` for one value), minimum and maximum. */
export interface Spread {
  /** number of values */
  readonly n: number;
  /** arithmetic mean */
  readonly mean: number;
  /** sample standard deviation, `null` when n = 1 */
  readonly sd: number | null;
  /** smallest value */
  readonly min: number;
  /** largest value */
  readonly max: number;
}

/**
 * The spread of some values (finite ones only); `null` if there are none.
 *
 * @example
 * ```ts
 * spread([1, 2, 3]); // { n: 3, mean: 2, sd: 1, min: 1, max: 3 }
 * ```
 */
export function spread(values: readonly (number | null)[]): Spread | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null;
  return { n: v.length, mean, sd, min: Math.min(...v), max: Math.max(...v) };
}

/**
 * How two spreads stand: `lower` or `higher` when a's mean ± sd interval lies wholly below or
 * above b's, `overlap` when the intervals meet, `null` when either has a single value (no spread
 * to judge by).
 *
 * @example
 * ```ts
 * separation(spread([1, 1.1, 0.9]), spread([2, 2.1, 1.9])); // "lower"
 * ```
 */
export function separation(a: Spread | null, b: Spread | null): "lower" | "higher" | "overlap" | null {
  if (a === null || b === null || a.sd === null || b.sd === null) return null;
  if (a.mean + a.sd < b.mean - b.sd) return "lower";
  if (a.mean - a.sd > b.mean + b.sd) return "higher";
  return "overlap";
}

/** One preset over its seeds. */
export interface PresetStats {
  /** preset name */
  readonly name: string;
  /** preset title */
  readonly title: string;
  /** `study` or `beyond` */
  readonly group: string;
  /** the seeds that ran */
  readonly seeds: readonly number[];
  /** full-image MSE over the seeds */
  readonly mse: Spread | null;
  /** PSNR (dB) over the seeds */
  readonly psnr: Spread | null;
  /** PSNR (dB) of the held-out pixels over the seeds (null or absent without a holdout) */
  readonly testPsnr?: Spread | null;
  /** train − test PSNR (dB), run by run, over the seeds (null or absent without a holdout) */
  readonly gap?: Spread | null;
  /** mean training seconds per run */
  readonly seconds: number;
  /** backend(s) that ran */
  readonly backend: string;
}

/**
 * Group the rows by preset (in first-seen order) and summarise each over its seeds.
 *
 * @example
 * ```ts
 * for (const s of presetStats(rows)) console.log(s.name, s.mse?.mean, s.mse?.sd);
 * ```
 */
export function presetStats(rows: readonly ResultRow[]): PresetStats[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) groups.set(r.preset.name, [...(groups.get(r.preset.name) ?? []), r]);
  return [...groups.values()].map((g) => ({
    name: g[0].preset.name,
    title: g[0].preset.title,
    group: g[0].preset.group,
    seeds: g.map((r) => r.seed),
    mse: spread(g.map((r) => r.record.mse)),
    psnr: spread(g.map((r) => r.record.psnr)),
    testPsnr: spread(g.map((r) => r.record.testPsnr ?? null)),
    gap: spread(g.map((r) => (r.record.psnr === null || (r.record.testPsnr ?? null) === null ? null : r.record.psnr - (r.record.testPsnr as number)))),
    seconds: g.reduce((a, r) => a + r.record.trainingSeconds, 0) / g.length,
    backend: [...new Set(g.map((r) => r.record.backend.name))].join(", "),
  }));
}

/**
 * The best preset: highest mean PSNR over its seeds, and its best seed's row.
 *
 * @example
 * ```ts
 * const best = bestRow(rows);
 * ```
 */
export function bestRow(rows: readonly ResultRow[]): ResultRow {
  const stats = presetStats(rows);
  const top = stats.reduce((a, b) => ((b.psnr?.mean ?? Number.NEGATIVE_INFINITY) > (a.psnr?.mean ?? Number.NEGATIVE_INFINITY) ? b : a));
  return rows
    .filter((r) => r.preset.name === top.name)
    .reduce((a, b) => ((b.record.psnr ?? Number.NEGATIVE_INFINITY) > (a.record.psnr ?? Number.NEGATIVE_INFINITY) ? b : a));
}
