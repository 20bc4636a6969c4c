/**
 * @module
 * The spectrum and NTK figures: frequency × epoch heatmaps of the error, the NTK's eigenvalue
 * decay, and its leading eigenvectors as curves. SVG, drawn by Vega-Lite like the loss charts.
 */

import type * as vl from "vega-lite";
import { vegaLiteSvg } from "./charts.js";

// The shapes these charts read of the analyses' results (src/analysis), written here so that plot
// stays on the ground floor of the layout and imports nothing above it.

/** One input kind's error matrix, row-major [frequency][epoch]. */
interface ErrorMatrix {
  readonly error: readonly (readonly number[])[];
}

/** The kernels of each input kind: grid, state, points, eigenvalues (descending), leading eigenvectors. */
interface Kernels {
  readonly inputs: Readonly<
    Record<
      string,
      | {
          readonly kernels: readonly {
            readonly grid: string;
            readonly state: string;
            readonly points: number;
            readonly eigenvalues: readonly number[];
            readonly eigenvectors: readonly (readonly number[])[];
          }[];
        }
      | undefined
    >
  >;
}

/** Columns drawn per heatmap at most: longer runs show every k-th epoch. */
const MAX_COLUMNS = 60;

/**
 * One heatmap per input kind, side by side: rows the frequencies (low at the bottom), columns the
 * epochs, colour the error relative to the target's amplitude (0 learnt … 1 not at all).
 *
 * @param rows - the row labels (frequencies or bands), low to high
 *
 * @example
 * ```ts
 * const svg = await spectrumHeatmap(signal.inputs, signal.frequencies.map(String), "cycles over [0, 1)", "1-D signal");
 * ```
 */
export async function spectrumHeatmap(
  inputs: Readonly<Record<string, ErrorMatrix | undefined>>,
  rows: string[],
  rowTitle: string,
  title: string,
): Promise<string> {
  const values: Record<string, unknown>[] = [];
  let last = 0;
  for (const [kind, m] of Object.entries(inputs)) {
    if (m === undefined) continue;
    const epochs = m.error[0]?.length ?? 0;
    last = Math.max(last, epochs - 1);
    const stride = Math.max(1, Math.ceil(epochs / MAX_COLUMNS));
    for (const [f, row] of m.error.entries())
      for (let e = 0; e < epochs; e += stride) values.push({ kind, frequency: rows[f], order: f, epoch: e, end: e + stride, error: Math.min(row[e], 1.2) });
  }
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    background: "white",
    data: { values },
    facet: { column: { field: "kind", type: "nominal", title: null, sort: Object.keys(inputs) } },
    spec: {
      width: 180,
      height: 160,
      // a hairline stroke of the cell's own colour closes the anti-aliasing seams between cells
      mark: { type: "rect", strokeWidth: 0.5 },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "epoch", scale: { domain: [0, last], nice: false } },
        x2: { field: "end" },
        y: { field: "frequency", type: "ordinal", title: rowTitle, sort: { field: "order", order: "descending" } },
        color: {
          field: "error",
          type: "quantitative",
          title: "error / target",
          scale: { scheme: "viridis", domain: [0, 1], clamp: true, reverse: true },
        },
        stroke: { field: "error", type: "quantitative", scale: { scheme: "viridis", domain: [0, 1], clamp: true, reverse: true }, legend: null },
      },
    },
  };
  return vegaLiteSvg(spec);
}

/**
 * The NTK's eigenvalues divided by the largest, against their rank, on a log scale: one line per
 * kind, solid at initialisation and dashed after training, one panel per grid.
 *
 * @example
 * ```ts
 * const svg = await eigenvalueChart(await ntkSpectra({ grids: ["1d"] }));
 * ```
 */
export async function eigenvalueChart(result: Kernels): Promise<string> {
  const values: Record<string, unknown>[] = [];
  for (const [kind, entry] of Object.entries(result.inputs))
    for (const k of entry?.kernels ?? []) {
      const top = k.eigenvalues[0];
      // eigenvalues at the rounding floor (≤ 1e-12 of the largest) are not shown on a log axis
      for (const [i, v] of k.eigenvalues.entries())
        if (v > 1e-12 * top) values.push({ kind, state: k.state, grid: `${k.grid} grid, ${k.points} points`, rank: i + 1, value: v / top });
    }
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "NTK eigenvalues λᵢ/λ₁ (solid: at initialisation, dashed: trained)",
    background: "white",
    data: { values },
    facet: { column: { field: "grid", type: "nominal", title: null } },
    resolve: { scale: { x: "independent" } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line" },
      encoding: {
        x: { field: "rank", type: "quantitative", title: "rank i", scale: { type: "log" } },
        y: { field: "value", type: "quantitative", title: "λᵢ / λ₁", scale: { type: "log" } },
        color: { field: "kind", type: "nominal", title: "inputs", sort: Object.keys(result.inputs) },
        strokeDash: { field: "state", type: "nominal", title: "weights", sort: ["init", "trained"] },
        detail: { field: "state" },
      },
    },
  };
  return vegaLiteSvg(spec);
}

/**
 * The leading eigenvectors of each kind's kernel on the 1-D grid at initialisation, as curves over
 * x: one row of panels per kind, one panel per eigenvector.
 *
 * @example
 * ```ts
 * const svg = await eigenvectorChart(result, 4);
 * ```
 */
export async function eigenvectorChart(result: Kernels, count = 4): Promise<string> {
  const values: Record<string, unknown>[] = [];
  for (const [kind, entry] of Object.entries(result.inputs)) {
    const k = entry?.kernels.find((s) => s.grid === "1d" && s.state === "init");
    if (k === undefined) continue;
    for (const [i, v] of k.eigenvectors.slice(0, count).entries())
      for (const [n, e] of v.entries()) values.push({ kind, vector: `v${i + 1}`, x: n / k.points, value: e });
  }
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Leading NTK eigenvectors on the 1-D grid, at initialisation",
    background: "white",
    data: { values },
    facet: {
      row: { field: "kind", type: "nominal", title: null, sort: Object.keys(result.inputs) },
      column: { field: "vector", type: "nominal", title: null },
    },
    spec: {
      width: 140,
      height: 70,
      mark: { type: "line" },
      encoding: {
        x: { field: "x", type: "quantitative", title: "x" },
        y: { field: "value", type: "quantitative", title: null },
      },
    },
  };
  return vegaLiteSvg(spec);
}
