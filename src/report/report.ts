/**
 * @module
 * The `paper` report: `results.json`, `report.md` and a self-contained `report.html` (images
 * embedded as data URLs, charts as inline SVG) with the table, one figure strip per preset,
 * the side-by-side comparison of all presets and the best network next to the source.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Preset } from "../presets.js";
import type { ImageInfo, RunRecord } from "../training/runner.js";
import { snapshotName } from "../training/runner.js";
import { lossChart } from "./plot.js";

/** One row of the results: a preset and its completed run. */
export interface ResultRow {
  /** the preset */
  readonly preset: Preset;
  /** its run record */
  readonly record: RunRecord;
  /** its output folder, relative to the report's folder */
  readonly dir: string;
}

/** A row of `results.json`. */
export interface ResultSummary {
  /** preset name */
  readonly name: string;
  /** preset title */
  readonly title: string;
  /** `study` or `beyond` */
  readonly group: string;
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
 * The rows of `results.json`.
 *
 * @example
 * ```ts
 * writeFileSync("results.json", JSON.stringify(summarize(rows), null, 2));
 * ```
 */
export function summarize(rows: readonly ResultRow[]): ResultSummary[] {
  return rows.map(({ preset, record }) => ({
    name: preset.name,
    title: preset.title,
    group: preset.group,
    finalLoss: record.finalLoss,
    mse: record.mse,
    psnr: record.psnr,
    seconds: record.trainingSeconds,
    backend: record.backend.name,
  }));
}

const fmt = (v: number | null, digits: number, exp = false) => (v === null ? "–" : exp ? v.toExponential(digits) : v.toFixed(digits));

/**
 * The results table as Markdown.
 *
 * @example
 * ```ts
 * markdownTable(summarize(rows));
 * ```
 */
export function markdownTable(summary: readonly ResultSummary[]): string {
  const lines = ["| preset | final loss | MSE | PSNR (dB) | seconds | backend |", "| --- | ---: | ---: | ---: | ---: | --- |"];
  for (const r of summary)
    lines.push(
      `| ${r.title} (\`${r.name}\`) | ${fmt(r.finalLoss, 3, true)} | ${fmt(r.mse, 3, true)} | ${fmt(r.psnr, 2)} | ${r.seconds.toFixed(1)} | ${r.backend} |`,
    );
  return lines.join("\n");
}

/**
 * The best row: highest PSNR.
 *
 * @example
 * ```ts
 * const best = bestRow(rows);
 * ```
 */
export function bestRow(rows: readonly ResultRow[]): ResultRow {
  return rows.reduce((a, b) => ((b.record.psnr ?? Number.NEGATIVE_INFINITY) > (a.record.psnr ?? Number.NEGATIVE_INFINITY) ? b : a));
}

/** What a report is built from. */
export interface ReportInput {
  /** the report's folder */
  readonly outDir: string;
  /** completed rows, in table order */
  readonly rows: readonly ResultRow[];
  /** epochs whose snapshots make each figure strip */
  readonly snapshotEpochs: readonly number[];
  /** the source image as training-size PNG, relative to outDir */
  readonly sourcePng: string;
  /** where the image came from, and its training size */
  readonly image: ImageInfo;
  /** e.g. "coordnet 0.1.0, reference backend, Node v20" */
  readonly generator: string;
}

/**
 * The Markdown report (images linked by relative path).
 *
 * @example
 * ```ts
 * writeFileAtomic("report.md", await markdownReport(input));
 * ```
 */
export function markdownReport(input: ReportInput): string {
  const summary = summarize(input.rows);
  const best = bestRow(input.rows);
  const out = [
    "# Coordinate networks: the study's experiments",
    "",
    `Image: ${input.image.source} at ${input.image.width}×${input.image.height}. ${input.generator}.`,
    "",
    markdownTable(summary),
    "",
    `Best: **${best.preset.title}** (${fmt(best.record.psnr, 2)} dB).`,
    "",
  ];
  for (const { preset, dir } of input.rows) {
    out.push(`## ${preset.title}`, "", preset.note, "");
    out.push(input.snapshotEpochs.map((e) => `![epoch ${e}](${dir}/${snapshotName(e)})`).join(" "), "", `![loss](${dir}/loss.svg)`, "");
  }
  out.push("## All presets, side by side", "", input.rows.map((r) => `![${r.preset.title}](${r.dir}/final.png)`).join(" "), "");
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
  const summary = summarize(input.rows);
  const best = bestRow(input.rows);
  const img = (path: string, caption: string) =>
    `<figure><img src="${pngData(join(input.outDir, path))}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  const rowsHtml = summary
    .map(
      (r) =>
        `<tr${r.name === best.preset.name ? ' class="best"' : ""}><td>${escapeHtml(r.title)}<br><code>${r.name}</code></td><td>${fmt(r.finalLoss, 3, true)}</td><td>${fmt(r.mse, 3, true)}</td><td>${fmt(r.psnr, 2)}</td><td>${r.seconds.toFixed(1)}</td><td>${r.backend}</td></tr>`,
    )
    .join("\n");
  const strips: string[] = [];
  for (const { preset, record, dir } of input.rows) {
    const chart = await lossChart(
      record.history.map((h) => ({ series: preset.name, epoch: h.epoch, loss: h.loss })),
      "Training loss",
      300,
      150,
    );
    strips.push(
      `<section><h3>${escapeHtml(preset.title)}</h3><p class="note">${escapeHtml(preset.note)}</p><div class="strip">${input.snapshotEpochs
        .map((e) => img(`${dir}/${snapshotName(e)}`, `epoch ${e}`))
        .join("")}<figure class="chart">${chart}</figure></div></section>`,
    );
  }
  const allLoss = await lossChart(
    input.rows.flatMap((r) => r.record.history.map((h) => ({ series: r.preset.name, epoch: h.epoch, loss: h.loss }))),
    "Training loss, all presets",
    640,
    300,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coordnet: the study's experiments</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { margin-bottom: 0.2rem; }
table { border-collapse: collapse; } th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:first-child, td:first-child { text-align: left; } tr.best td { background: #eef7ee; font-weight: 600; }
.note { color: #555; margin-top: 0.2rem; max-width: 60rem; }
.strip, .grid { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: flex-start; }
figure { margin: 0; text-align: center; } figcaption { font-size: 0.85rem; color: #444; }
img { width: 160px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; }
.big img { width: 320px; } .chart svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>Coordinate networks: the study's experiments</h1>
<p>Image: ${escapeHtml(input.image.source)} at ${input.image.width}×${input.image.height}. ${escapeHtml(input.generator)}.</p>
<h2>Results</h2>
<table><thead><tr><th>preset</th><th>final loss</th><th>MSE</th><th>PSNR (dB)</th><th>seconds</th><th>backend</th></tr></thead><tbody>
${rowsHtml}
</tbody></table>
<figure class="chart">${allLoss}</figure>
<h2>Each preset: snapshots and loss</h2>
${strips.join("\n")}
<h2>All presets, side by side</h2>
<div class="grid">${input.rows.map((r) => img(`${r.dir}/final.png`, r.preset.title)).join("")}</div>
<h2>Best network and source</h2>
<div class="grid big">${img(`${best.dir}/final.png`, `${best.preset.title}: ${fmt(best.record.psnr, 2)} dB`)}${img(input.sourcePng, "source")}</div>
</body></html>
`;
}
