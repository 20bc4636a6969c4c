/**
 * @module
 * The report's generalisation table (`coordnet paper --holdout …`): per preset, PSNR over the
 * pixels it trained on, over the held-out pixels, and the gap between them — training error
 * rewards memorisation; the held-out pixels show what the network does between the pixels it saw.
 */

import { escapeHtml } from "./html.js";
import type { Spread } from "./statistics.js";

/** What the table needs of a preset's statistics. */
export interface GeneralisationStats {
  /** preset name */
  readonly name: string;
  /** preset title */
  readonly title: string;
  /** PSNR (dB) over the training pixels, over the seeds */
  readonly psnr: Spread | null;
  /** PSNR (dB) over the held-out pixels, over the seeds (null or absent without a holdout) */
  readonly testPsnr?: Spread | null;
  /** train − test PSNR (dB), run by run, over the seeds */
  readonly gap?: Spread | null;
}

const cell = (s: Spread | null | undefined) =>
  s === null || s === undefined ? "–" : s.sd === null ? s.mean.toFixed(2) : `${s.mean.toFixed(2)} ± ${s.sd.toFixed(2)}`;

/** The header and rows of the table, for the presets that ran with held-out pixels (none: no table). */
function cells(stats: readonly GeneralisationStats[]): { head: string[]; rows: string[][] } {
  const head = ["preset", "train PSNR (dB)", "test PSNR (dB)", "gap (dB)"];
  const rows = stats
    .filter((s) => s.testPsnr !== null && s.testPsnr !== undefined)
    .map((s) => [`${s.title} (\`${s.name}\`)`, cell(s.psnr), cell(s.testPsnr), cell(s.gap)]);
  return { head, rows };
}

const NOTE =
  "Train PSNR is over the pixels trained on, test PSNR over the held-out pixels, both from the same final prediction (clamped to [0,1]); the gap is train − test, run by run; ± is the sample standard deviation over the seeds.";

/**
 * The generalisation section as Markdown lines (none when no run held pixels out).
 *
 * @example
 * ```ts
 * lines.push(...generalisationMarkdown(presetStats(rows), "every-other"));
 * ```
 */
export function generalisationMarkdown(stats: readonly GeneralisationStats[], holdout: string): string[] {
  const { head, rows } = cells(stats);
  if (rows.length === 0) return [];
  return [
    "## Generalisation: held-out pixels",
    "",
    `Holdout: ${holdout}.`,
    "",
    `| ${head.join(" | ")} |`,
    `| --- | ${head
      .slice(1)
      .map(() => "---:")
      .join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    NOTE,
    "",
  ];
}

/**
 * The generalisation section as HTML (empty when no run held pixels out).
 *
 * @example
 * ```ts
 * const section = generalisationHtml(presetStats(rows), "every-other");
 * ```
 */
export function generalisationHtml(stats: readonly GeneralisationStats[], holdout: string): string {
  const { head, rows } = cells(stats);
  if (rows.length === 0) return "";
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c).replace(/`([^`]+)`/g, "<code>$1</code>")}</td>`).join("")}</tr>`).join("\n");
  return `<h2>Generalisation: held-out pixels</h2>
<p>Holdout: ${escapeHtml(holdout)}.</p>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>
${body}
</tbody></table>
<p class="note">${escapeHtml(NOTE)}</p>
`;
}
