/**
 * @module
 * The `paper` report: `results.json` (every seed's run), `report.md` and a self-contained
 * `report.html` (images embedded as data URLs, charts as inline SVG) with the table of mean ± sd
 * over seeds, the study's claims judged against the seed spread, one figure strip per preset, the
 * side-by-side comparison of all presets and the best network next to the source.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CoordnetError } from "../errors.js";
import { snapshotName } from "../io/out-dir.js";
import { parseJson } from "../json.js";
import type { Preset } from "../presets.js";
import type { ImageInfo, RunRecord } from "../training/runner.js";
import { lossChart } from "./plot.js";

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
    seconds: g.reduce((a, r) => a + r.record.trainingSeconds, 0) / g.length,
    backend: [...new Set(g.map((r) => r.record.backend.name))].join(", "),
  }));
}

/**
 * The study's published full-image MSE, only where coordnet has the figure: issue 12 quotes the
 * study ranking GELU (0.00263) over ReLU (0.00326), on one seed each; "ReLU" is taken to be its
 * baseline, ReLU + sigmoid. The other rows are left blank rather than guessed.
 */
const STUDY_MSE: Readonly<Record<string, number>> = { "relu-sigmoid": 0.00326, gelu: 0.00263 };

/** Another implementation's results on the same image and presets (`coordnet paper --compare`). */
export interface Comparison {
  /** its name for the table, e.g. "PyTorch 1.13.0" */
  readonly label: string;
  /** the file it was read from */
  readonly source: string;
  /** the training size it ran at */
  readonly width: number;
  /** the training size it ran at */
  readonly height: number;
  /** epochs per run */
  readonly epochs: number;
  /** one entry per (preset, seed) run */
  readonly runs: readonly ComparisonRun[];
}

/** One run of the other implementation. */
export interface ComparisonRun {
  /** preset name */
  readonly name: string;
  /** seed (the other implementation's own random streams) */
  readonly seed: number;
  /** full-image MSE, predictions clamped to [0, 1] */
  readonly mse: number;
  /** PSNR in dB */
  readonly psnr: number;
}

/**
 * Read a results file written by `scripts/torch_paper.py` (or anything of the same shape:
 * `{ label, width, height, epochs, runs: [{ name, seed, mse, psnr }] }`).
 *
 * @throws CoordnetError (exit code 2) naming the file and what is wrong with it
 *
 * @example
 * ```ts
 * const torch = parseComparison(readFileSync("torch.json", "utf8"), "torch.json");
 * ```
 */
export function parseComparison(text: string, source: string): Comparison {
  const bad = (what: string) => new CoordnetError(`${source}: ${what} (expected the JSON written by scripts/torch_paper.py)`);
  const data = parseJson(text, (reason) => bad(reason.replace(/^is not valid JSON/, "not JSON").replace(/^is /, "")));
  const o = data as Record<string, unknown>;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw bad("not a JSON object");
  const posInt = (k: string) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw bad(`"${k}" must be a positive integer`);
    return v;
  };
  if (typeof o.label !== "string" || o.label === "") throw bad(`"label" must be a non-empty string`);
  if (!Array.isArray(o.runs) || o.runs.length === 0) throw bad(`"runs" must be a non-empty array`);
  const runs = o.runs.map((r: unknown, i: number) => {
    const x = r as Record<string, unknown>;
    const ok =
      x !== null &&
      typeof x === "object" &&
      typeof x.name === "string" &&
      Number.isInteger(x.seed) &&
      typeof x.mse === "number" &&
      Number.isFinite(x.mse) &&
      typeof x.psnr === "number" &&
      Number.isFinite(x.psnr);
    if (!ok) throw bad(`runs[${i}] needs a string "name", an integer "seed" and finite "mse" and "psnr"`);
    return { name: x.name as string, seed: x.seed as number, mse: x.mse as number, psnr: x.psnr as number };
  });
  return { label: o.label, source, width: posInt("width"), height: posInt("height"), epochs: posInt("epochs"), runs };
}

/** One of the study's claims and whether this run supports it beyond the seed spread. */
export interface ClaimVerdict {
  /** the claim, in the study's words as issue 12 lists them */
  readonly claim: string;
  /** `supported`, `contradicted`, `not shown` (spreads overlap or one seed), or `not run` */
  readonly verdict: "supported" | "contradicted" | "not shown" | "not run";
  /** the figures behind the verdict */
  readonly detail: string;
}

const PLAIN = ["relu-sigmoid", "relu-linear", "relu-range11", "gelu", "elu", "tanh"];
const f5 = (v: number) => v.toFixed(5);
const msd = (s: Spread) => (s.sd === null ? f5(s.mean) : `${f5(s.mean)} ± ${f5(s.sd)}`);

/**
 * The study's four claims, each judged on mean ± sd of the full-image MSE over the seeds: a
 * difference counts only where the two intervals do not overlap.
 *
 * @example
 * ```ts
 * for (const c of judgeClaims(presetStats(rows))) console.log(`${c.claim}: ${c.verdict}`);
 * ```
 */
export function judgeClaims(stats: readonly PresetStats[]): ClaimVerdict[] {
  const by = new Map(stats.map((s) => [s.name, s]));
  const mse = (name: string) => by.get(name)?.mse ?? null;
  const oneSeed = "one seed: no spread to judge by";
  const out: ClaimVerdict[] = [];

  {
    const claim = "Sigmoid costs a little (relu-sigmoid vs relu-linear)";
    const a = mse("relu-sigmoid");
    const b = mse("relu-linear");
    if (!a || !b) out.push({ claim, verdict: "not run", detail: "needs relu-sigmoid and relu-linear" });
    else {
      const sep = separation(a, b);
      const detail = `MSE ${msd(a)} with sigmoid, ${msd(b)} without (×${(a.mean / b.mean).toFixed(2)})`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "higher") out.push({ claim, verdict: "supported", detail: `${detail}: higher beyond the seed spread` });
      else if (sep === "lower") out.push({ claim, verdict: "contradicted", detail: `${detail}: the sigmoid is better beyond the seed spread` });
      else out.push({ claim, verdict: "not shown", detail: `${detail}: the spreads overlap` });
    }
  }
  {
    const claim = "The input range makes little difference (relu-sigmoid [0,1] vs relu-range11 [−1,1]; “little” read as under 10% in MSE)";
    const a = mse("relu-sigmoid");
    const b = mse("relu-range11");
    if (!a || !b) out.push({ claim, verdict: "not run", detail: "needs relu-sigmoid and relu-range11" });
    else {
      const sep = separation(a, b);
      const detail = `MSE ${msd(a)} on [0,1], ${msd(b)} on [−1,1] (×${(b.mean / a.mean).toFixed(2)})`;
      const small = Math.abs(b.mean / a.mean - 1) < 0.1;
      const which = `[−1,1] is ${sep === "lower" ? "worse" : "better"} beyond the seed spread`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "overlap") out.push({ claim, verdict: "supported", detail: `${detail}: the difference is within the seed spread` });
      else if (small) out.push({ claim, verdict: "supported", detail: `${detail}: ${which}, but by under 10% (“little” read as that)` });
      else out.push({ claim, verdict: "contradicted", detail: `${detail}: ${which}, by 10% or more` });
    }
  }
  {
    const claim = "GELU is the best plain activation (gelu vs the other plain presets)";
    const plain = PLAIN.flatMap((n) => (mse(n) ? [[n, mse(n) as Spread] as const] : []));
    const g = mse("gelu");
    if (!g || plain.length < 2) out.push({ claim, verdict: "not run", detail: "needs gelu and another plain preset" });
    else {
      const others = plain.filter(([n]) => n !== "gelu");
      const seps = others.map(([n, s]) => [n, separation(g, s)] as const);
      const lowest = plain.reduce((a, b) => (b[1].mean < a[1].mean ? b : a));
      const detail = `GELU MSE ${msd(g)}; lowest mean: ${lowest[0]} (${msd(lowest[1])})`;
      const beats = seps.filter(([, v]) => v === "higher").map(([n]) => n);
      if (seps.some(([, v]) => v === null)) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (beats.length > 0) out.push({ claim, verdict: "contradicted", detail: `${detail}: ${beats.join(", ")} better beyond the seed spread` });
      else if (seps.every(([, v]) => v === "lower"))
        out.push({ claim, verdict: "supported", detail: `${detail}: GELU is lower than every other beyond the seed spread` });
      else {
        const ties = seps.filter(([, v]) => v === "overlap").map(([n]) => n);
        out.push({ claim, verdict: "not shown", detail: `${detail}: GELU's spread overlaps ${ties.join(", ")}` });
      }
    }
  }
  {
    const claim = "Positional encoding is several times better (positional vs the best plain preset; “several” read as at least 2× lower MSE)";
    const p = mse("positional");
    const plain = PLAIN.flatMap((n) => (mse(n) ? [[n, mse(n) as Spread] as const] : []));
    if (!p || plain.length === 0) out.push({ claim, verdict: "not run", detail: "needs positional and a plain preset" });
    else {
      const [bestName, best] = plain.reduce((a, b) => (b[1].mean < a[1].mean ? b : a));
      const ratio = best.mean / p.mean;
      const sep = separation(p, best);
      const detail = `positional MSE ${msd(p)}, best plain ${bestName} ${msd(best)}: ${ratio.toFixed(2)}× lower`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "lower" && ratio >= 2) out.push({ claim, verdict: "supported", detail: `${detail}, beyond the seed spread` });
      else if (sep === "lower") out.push({ claim, verdict: "not shown", detail: `${detail}: better beyond the seed spread, but less than 2×` });
      else if (sep === "higher") out.push({ claim, verdict: "contradicted", detail: `${detail}: worse beyond the seed spread` });
      else out.push({ claim, verdict: "not shown", detail: `${detail}: the spreads overlap` });
    }
  }
  return out;
}

const fmt = (v: number | null, digits: number) => (v === null ? "–" : v.toFixed(digits));
const meanSd = (s: Spread | null, digits: number) =>
  s === null ? "–" : s.sd === null ? `${s.mean.toFixed(digits)} (1 seed)` : `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}`;
const minMax = (s: Spread | null, digits: number) => (s === null ? "–" : `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}`);

/** The results table as header + rows of cell text (shared by the Markdown and HTML tables). */
function tableCells(stats: readonly PresetStats[], compare?: Comparison): { head: string[]; rows: string[][] } {
  const head = ["preset", "seeds", "MSE mean ± sd", "MSE min–max", "PSNR (dB) mean ± sd", "PSNR min–max", "study's MSE", "s / run", "backend"];
  if (compare) head.push(`${compare.label} MSE mean ± sd`, `${compare.label} PSNR mean ± sd`, "spreads (MSE)");
  const rows = stats.map((s) => {
    const row = [
      `${s.title} (\`${s.name}\`)`,
      String(s.seeds.length),
      meanSd(s.mse, 5),
      minMax(s.mse, 5),
      meanSd(s.psnr, 2),
      minMax(s.psnr, 2),
      s.name in STUDY_MSE ? f5(STUDY_MSE[s.name]) : "",
      s.seconds.toFixed(1),
      s.backend,
    ];
    if (compare) {
      const theirs = compare.runs.filter((r) => r.name === s.name);
      const tm = spread(theirs.map((r) => r.mse));
      const sep = separation(s.mse, tm);
      row.push(
        meanSd(tm, 5),
        meanSd(spread(theirs.map((r) => r.psnr)), 2),
        tm === null ? "–" : sep === null ? "one seed" : sep === "overlap" ? "overlap" : "**differ**",
      );
    }
    return row;
  });
  return { head, rows };
}

/**
 * The results table as Markdown: one row per preset, mean ± sd and min–max over its seeds, the
 * study's published MSE where known, and another implementation's figures with `compare`.
 *
 * @example
 * ```ts
 * markdownTable(presetStats(rows));
 * ```
 */
export function markdownTable(stats: readonly PresetStats[], compare?: Comparison): string {
  const { head, rows } = tableCells(stats, compare);
  const lines = [
    `| ${head.join(" | ")} |`,
    `| --- | ${head
      .slice(1)
      .map((h) => (h === "backend" || h.startsWith("spreads") ? "---" : "---:"))
      .join(" | ")} |`,
  ];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
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

/** What a report is built from. */
export interface ReportInput {
  /** the report's folder */
  readonly outDir: string;
  /** completed rows, one per (preset, seed), in table order */
  readonly rows: readonly ResultRow[];
  /** epochs whose snapshots make each figure strip */
  readonly snapshotEpochs: readonly number[];
  /** the source image as training-size PNG, relative to outDir */
  readonly sourcePng: string;
  /** where the image came from, and its training size */
  readonly image: ImageInfo;
  /** e.g. "coordnet 0.1.0, reference backend, Node v20" */
  readonly generator: string;
  /** another implementation's results, put beside coordnet's */
  readonly compare?: Comparison;
}

function compareNote(input: ReportInput): string {
  const c = input.compare;
  if (!c) return "";
  const same = c.width === input.image.width && c.height === input.image.height;
  return `${c.label} figures from ${c.source} (${c.width}×${c.height}, ${c.epochs} epochs${same ? "" : "; a different size from this run"}). “differ”: the two MSE intervals (mean ± sd over seeds) do not overlap.`;
}

const TABLE_NOTE =
  "MSE over the whole image (predictions clamped to [0,1]); ± is the sample standard deviation over the seeds. The study's MSE is its published single-seed figure at 512×512 after 200 epochs (comparable only at that size and length), given only where issue 12 quotes it (its “ReLU” taken as the baseline row).";

/**
 * The Markdown report (images linked by relative path).
 *
 * @example
 * ```ts
 * writeFileAtomic("report.md", await markdownReport(input));
 * ```
 */
export function markdownReport(input: ReportInput): string {
  const stats = presetStats(input.rows);
  const best = bestRow(input.rows);
  const bestStats = stats.find((s) => s.name === best.preset.name);
  const out = [
    "# Coordinate networks: the study's experiments",
    "",
    `Image: ${input.image.source} at ${input.image.width}×${input.image.height}. ${input.generator}.`,
    "",
    markdownTable(stats, input.compare),
    "",
    TABLE_NOTE,
    ...(input.compare ? ["", compareNote(input)] : []),
    "",
    `Best: **${best.preset.title}** (mean ${fmt(bestStats?.psnr?.mean ?? null, 2)} dB).`,
    "",
    "## The study's claims",
    "",
    "| claim | this run | figures |",
    "| --- | --- | --- |",
    ...judgeClaims(stats).map((c) => `| ${c.claim} | ${c.verdict} | ${c.detail} |`),
    "",
  ];
  for (const s of stats) {
    const first = input.rows.find((r) => r.preset.name === s.name) as ResultRow;
    out.push(`## ${first.preset.title}`, "", first.preset.note, "", `Seed ${first.seed} (report.html draws the loss of every seed as a band):`, "");
    out.push(input.snapshotEpochs.map((e) => `![epoch ${e}](${first.dir}/${snapshotName(e)})`).join(" "), "", `![loss](${first.dir}/loss.svg)`, "");
  }
  const firsts = stats.map((s) => input.rows.find((r) => r.preset.name === s.name) as ResultRow);
  out.push("## All presets, side by side", "", firsts.map((r) => `![${r.preset.title}](${r.dir}/final.png)`).join(" "), "");
  out.push("## Best network and source", "", `![${best.preset.title}](${best.dir}/final.png) ![source](${input.sourcePng})`, "");
  return out.join("\n");
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pngData = (path: string) => `data:image/png;base64,${readFileSync(path).toString("base64")}`;

/**
 * The self-contained HTML report.
 *
 * @example
 * ```ts
 * writeFileAtomic("report.html", await htmlReport(input));
 * ```
 */
export async function htmlReport(input: ReportInput): Promise<string> {
  const stats = presetStats(input.rows);
  const best = bestRow(input.rows);
  const firsts = stats.map((s) => input.rows.find((r) => r.preset.name === s.name) as ResultRow);
  const img = (path: string, caption: string) =>
    `<figure><img src="${pngData(join(input.outDir, path))}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  const { head, rows } = tableCells(stats, input.compare);
  const cell = (c: string) =>
    escapeHtml(c)
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
  const rowsHtml = rows
    .map((r, i) => `<tr${stats[i].name === best.preset.name ? ' class="best"' : ""}>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const points = (rs: readonly ResultRow[]) => rs.flatMap((r) => r.record.history.map((h) => ({ series: r.preset.name, epoch: h.epoch, loss: h.loss })));
  const strips: string[] = [];
  for (const first of firsts) {
    const { preset, dir, seed } = first;
    const seeds = input.rows.filter((r) => r.preset.name === preset.name);
    const chart = await lossChart(points(seeds), seeds.length > 1 ? `Training loss: mean and min–max of ${seeds.length} seeds` : "Training loss", 300, 150);
    strips.push(
      `<section><h3>${escapeHtml(preset.title)}</h3><p class="note">${escapeHtml(preset.note)}</p><div class="strip">${input.snapshotEpochs
        .map((e) => img(`${dir}/${snapshotName(e)}`, `seed ${seed}, epoch ${e}`))
        .join("")}<figure class="chart">${chart}</figure></div></section>`,
    );
  }
  const several = stats.some((s) => s.seeds.length > 1);
  const allLoss = await lossChart(
    points(input.rows),
    several ? "Training loss, all presets: mean and min–max over seeds" : "Training loss, all presets",
    640,
    300,
  );
  const claims = judgeClaims(stats)
    .map((c) => `<tr><td>${escapeHtml(c.claim)}</td><td class="verdict ${c.verdict.replace(" ", "-")}">${c.verdict}</td><td>${escapeHtml(c.detail)}</td></tr>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coordnet: the study's experiments</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { margin-bottom: 0.2rem; }
table { border-collapse: collapse; } th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:first-child, td:first-child { text-align: left; } tr.best td { background: #eef7ee; font-weight: 600; }
table.claims td { text-align: left; } .verdict.supported { color: #1a7f37; } .verdict.contradicted { color: #b42318; }
.note { color: #555; margin-top: 0.2rem; max-width: 60rem; }
.strip, .grid { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: flex-start; }
figure { margin: 0; text-align: center; } figcaption { font-size: 0.85rem; color: #444; }
img { width: 160px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; }
.big img { width: 320px; } .chart svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>Coordinate networks: the study's experiments</h1>
<p>Image: ${escapeHtml(input.image.source)} at ${input.image.width}×${input.image.height}. ${escapeHtml(input.generator)}.</p>
<h2>Results</h2>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>
${rowsHtml}
</tbody></table>
<p class="note">${escapeHtml(TABLE_NOTE)}${input.compare ? ` ${escapeHtml(compareNote(input))}` : ""}</p>
<h2>The study's claims</h2>
<table class="claims"><thead><tr><th>claim</th><th>this run</th><th>figures</th></tr></thead><tbody>
${claims}
</tbody></table>
<figure class="chart">${allLoss}</figure>
<h2>Each preset: snapshots and loss</h2>
<p class="note">Snapshots of each preset's first seed; loss curves are the mean over the seeds, the band their minimum to maximum.</p>
${strips.join("\n")}
<h2>All presets, side by side</h2>
<div class="grid">${firsts.map((r) => img(`${r.dir}/final.png`, `${r.preset.title} (seed ${r.seed})`)).join("")}</div>
<h2>Best network and source</h2>
<div class="grid big">${img(`${best.dir}/final.png`, `${best.preset.title}, seed ${best.seed}: ${fmt(best.record.psnr, 2)} dB`)}${img(input.sourcePng, "source")}</div>
</body></html>
`;
}
