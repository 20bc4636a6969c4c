/**
 * @module
 * The `paper` report rendered: `report.md` and a self-contained `report.html` (images embedded as
 * data URLs, charts as inline SVG) with the table of mean ± sd over seeds, the study's claims
 * judged against the seed spread, one figure strip per preset, the side-by-side comparison of all
 * presets and the best network next to the source.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lossChart } from "../plot/charts.js";
import { type ImageInfo, snapshotName } from "../training/record.js";
import { judgeClaims, STUDY_MSE } from "./claims.js";
import type { Comparison } from "./comparison.js";
import { generalisationHtml, generalisationMarkdown } from "./generalisation.js";
import { escapeHtml } from "./html.js";
import { bestRow, type PresetStats, presetStats, type ResultRow, type Spread, separation, spread } from "./statistics.js";
import { studyVerdicts } from "./study.js";

const f5 = (v: number) => v.toFixed(5);
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
  /** the spectral-bias heatmap: its file (relative to outDir), its SVG, and what it shows */
  readonly spectrum?: {
    /** the SVG's file name, relative to outDir */
    readonly file: string;
    /** the heatmap itself */
    readonly svg: string;
    /** what it shows and how it was measured */
    readonly note: string;
  };
}

function compareNote(input: ReportInput): string {
  const c = input.compare;
  if (!c) return "";
  const same = c.width === input.image.width && c.height === input.image.height;
  return `${c.label} figures from ${c.source} (${c.width}×${c.height}, ${c.epochs} epochs${same ? "" : "; a different size from this run"}). “differ”: the two MSE intervals (mean ± sd over seeds) do not overlap.`;
}

const TABLE_NOTE =
  "MSE over the whole image (predictions clamped to [0,1]); ± is the sample standard deviation over the seeds. The study's MSE is its published single-seed figure at 512×512 after 200 epochs, on a different photograph (its figures 2–6 and 8; none for inputs in [−1, 1]): compare rankings, not values, and only at that size and length.";

/** The table's note, and what its MSE is over when the runs held pixels out. */
const tableNote = (rows: readonly ResultRow[]) =>
  rows.some((r) => r.record.holdout)
    ? `${TABLE_NOTE} With held-out pixels, MSE and PSNR here are over the pixels trained on; the held-out pixels' are in the generalisation table.`
    : TABLE_NOTE;

/** The held-out setting of the runs, for the generalisation table's heading. */
const holdoutOf = (rows: readonly ResultRow[]) => String(rows.find((r) => r.record.holdout)?.record.holdout?.setting ?? "none");

/** The study's published figures' verdict on claim `i` (the order of `judgeClaims`), as a cell. */
const studyCell = (i: number) => {
  const v = studyVerdicts(STUDY_MSE)[i];
  return `${v.verdict}: ${v.detail}`;
};

const STUDY_NOTE =
  "The study's own figures: its published single-run MSE per preset (512×512, 200 epochs, its own photograph, not this one), read by value alone with the same thresholds — whether the study's numbers show what its text claims.";

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
    tableNote(input.rows),
    ...(input.compare ? ["", compareNote(input)] : []),
    "",
    `Best: **${best.preset.title}** (mean ${fmt(bestStats?.psnr?.mean ?? null, 2)} dB).`,
    "",
    ...generalisationMarkdown(stats, holdoutOf(input.rows)),
    "## The study's claims",
    "",
    "| claim | this run | figures | the study's own figures |",
    "| --- | --- | --- | --- |",
    ...judgeClaims(stats).map((c, i) => `| ${c.claim} | ${c.verdict} | ${c.detail} | ${studyCell(i)} |`),
    "",
    STUDY_NOTE,
    "",
  ];
  for (const s of stats) {
    const first = input.rows.find((r) => r.preset.name === s.name) as ResultRow;
    out.push(`## ${first.preset.title}`, "", first.preset.note, "", `Seed ${first.seed} (report.html draws the loss of every seed as a band):`, "");
    out.push(input.snapshotEpochs.map((e) => `![epoch ${e}](${first.dir}/${snapshotName(e)})`).join(" "), "", `![loss](${first.dir}/loss.svg)`, "");
  }
  if (input.spectrum) out.push("## Spectral bias", "", input.spectrum.note, "", `![spectral bias](${input.spectrum.file})`, "");
  const firsts = stats.map((s) => input.rows.find((r) => r.preset.name === s.name) as ResultRow);
  out.push("## All presets, side by side", "", firsts.map((r) => `![${r.preset.title}](${r.dir}/final.png)`).join(" "), "");
  out.push("## Best network and source", "", `![${best.preset.title}](${best.dir}/final.png) ![source](${input.sourcePng})`, "");
  return out.join("\n");
}

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
    .map(
      (c, i) =>
        `<tr><td>${escapeHtml(c.claim)}</td><td class="verdict ${c.verdict.replace(" ", "-")}">${c.verdict}</td><td>${escapeHtml(c.detail)}</td><td>${escapeHtml(studyCell(i))}</td></tr>`,
    )
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
<p class="note">${escapeHtml(tableNote(input.rows))}${input.compare ? ` ${escapeHtml(compareNote(input))}` : ""}</p>
${generalisationHtml(stats, holdoutOf(input.rows))}<h2>The study's claims</h2>
<table class="claims"><thead><tr><th>claim</th><th>this run</th><th>figures</th><th>the study's own figures</th></tr></thead><tbody>
${claims}
</tbody></table>
<p class="note">${escapeHtml(STUDY_NOTE)}</p>
<figure class="chart">${allLoss}</figure>
<h2>Each preset: snapshots and loss</h2>
<p class="note">Snapshots of each preset's first seed; loss curves are the mean over the seeds, the band their minimum to maximum.</p>
${strips.join("\n")}
${input.spectrum ? `<h2>Spectral bias</h2>\n<p class="note">${escapeHtml(input.spectrum.note)}</p>\n<figure class="chart">${input.spectrum.svg}</figure>\n` : ""}<h2>All presets, side by side</h2>
<div class="grid">${firsts.map((r) => img(`${r.dir}/final.png`, `${r.preset.title} (seed ${r.seed})`)).join("")}</div>
<h2>Best network and source</h2>
<div class="grid big">${img(`${best.dir}/final.png`, `${best.preset.title}, seed ${best.seed}: ${fmt(best.record.psnr, 2)} dB`)}${img(input.sourcePng, "source")}</div>
</body></html>
`;
}
