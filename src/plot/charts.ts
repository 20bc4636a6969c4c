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
 * A loss-versus-epoch line chart with a logarithmic loss axis, one line per series, as SVG. Where
 * a series has several points per epoch (one per seed), the line is their mean and a band spans
 * their minimum to maximum (min–max rather than mean ± sd: it never goes below zero on a log axis).
 *
 * @example
 * ```ts
 * const svg = await lossChart(history.map((h) => ({ series: "relu", epoch: h.epoch, loss: h.loss })), "Training loss");
 * ```
 */
export async function lossChart(points: LossPoint[], title: string, width = 420, height = 220): Promise<string> {
  const finite = points.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
  const series = new Set(finite.map((p) => p.series));
  const groups = new Map<string, number[]>();
  for (const p of finite) {
    const key = `${p.series}\u0000${p.epoch}`;
    groups.set(key, [...(groups.get(key) ?? []), p.loss]);
  }
  const banded = [...groups.values()].some((g) => g.length > 1);
  const values = [...groups.entries()].map(([key, losses]) => {
    const [s, epoch] = key.split("\u0000");
    return { series: s, epoch: Number(epoch), loss: losses.reduce((a, b) => a + b, 0) / losses.length, lo: Math.min(...losses), hi: Math.max(...losses) };
  });
  const x = { x: { field: "epoch", type: "quantitative" as const, title: "epoch", axis: { tickMinStep: 1 } } };
  const color = series.size > 1 ? { color: { field: "series", type: "nominal" as const, title: "preset" } } : {};
  const yTitle = "training loss (MSE, log scale)";
  const line = {
    mark: { type: "line" as const, point: values.length <= 60 },
    encoding: { ...x, y: { field: "loss", type: "quantitative" as const, title: yTitle, scale: { type: "log" as const } }, ...color },
  };
  const band = {
    mark: { type: "area" as const, opacity: 0.25 },
    encoding: { ...x, y: { field: "lo", type: "quantitative" as const, scale: { type: "log" as const } }, y2: { field: "hi" }, ...color },
  };
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    background: "white",
    data: { values: values as unknown as Record<string, unknown>[] },
    layer: banded ? [band, line] : [line],
  };
  return vegaLiteSvg(spec);
}

/**
 * A Vega-Lite spec drawn as SVG, headless.
 *
 * @example
 * ```ts
 * const svg = await vegaLiteSvg({ mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x", type: "quantitative" } } });
 * ```
 */
export async function vegaLiteSvg(spec: vl.TopLevelSpec): Promise<string> {
  // loaded on first use: vega is large, and one of its modules awaits at top level, which would stop
  // `require("coordnet")` in CommonJS projects if it were on an import path
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** One value of a swept setting and the PSNRs it gave. */
export interface SweepChartPoint {
  /** the setting's value (σ) */
  readonly sigma: number;
  /** PSNR (dB) over the pixels trained on */
  readonly trainPsnr: number;
  /** PSNR (dB) over the held-out pixels */
  readonly testPsnr: number;
}

/**
 * Train and test PSNR against σ, σ on a log axis, as SVG: the generalisation curve of a
 * Fourier-feature sweep (test PSNR peaks where σ suits the image; the train − test gap grows with σ).
 *
 * @example
 * ```ts
 * const svg = await sweepChart([{ sigma: 1, trainPsnr: 20, testPsnr: 19.8 }, { sigma: 10, trainPsnr: 27, testPsnr: 24 }], "PSNR against σ");
 * ```
 */
export async function sweepChart(points: readonly SweepChartPoint[], title: string, width = 420, height = 240): Promise<string> {
  const values = points.flatMap((p) => [
    { sigma: p.sigma, pixels: "train (pixels trained on)", psnr: p.trainPsnr },
    { sigma: p.sigma, pixels: "test (held-out pixels)", psnr: p.testPsnr },
  ]);
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    background: "white",
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "sigma", type: "quantitative", title: "σ of the Gaussian features (log scale)", scale: { type: "log" } },
      y: { field: "psnr", type: "quantitative", title: "PSNR (dB)", scale: { zero: false } },
      color: { field: "pixels", type: "nominal", title: "PSNR over" },
    },
  };
  return vegaLiteSvg(spec);
}
