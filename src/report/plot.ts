/**
 * @module
 * Charts as SVG, drawn by Vega-Lite (compiled to Vega and rendered headless, no canvas needed).
 */

import type * as vl from "vega-lite";

/** One point of a loss curve. */
export interface LossPoint {
  /** curve name (a preset), for charts with several curves */
  readonly series: string;
  /** 1-based epoch */
  readonly epoch: number;
  /** mean training loss */
  readonly loss: number;
}

/**
 * A loss-versus-epoch line chart with a logarithmic loss axis, one line per series, as SVG.
 *
 * @example
 * ```ts
 * const svg = await lossChart(history.map((h) => ({ series: "relu", epoch: h.epoch, loss: h.loss })), "Training loss");
 * ```
 */
export async function lossChart(points: LossPoint[], title: string, width = 420, height = 220): Promise<string> {
  const series = new Set(points.map((p) => p.series));
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    background: "white",
    data: { values: points.filter((p) => p.loss > 0 && Number.isFinite(p.loss)) as unknown as Record<string, unknown>[] },
    mark: { type: "line", point: points.length <= 60 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
      y: { field: "loss", type: "quantitative", title: "training loss (MSE, log scale)", scale: { type: "log" } },
      ...(series.size > 1 ? { color: { field: "series", type: "nominal", title: "preset" } } : {}),
    },
  };
  // loaded on first use: vega is large, and one of its modules awaits at top level, which would stop
  // `require("coordnet")` in CommonJS projects if it were on an import path
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
