// ---- the lab under the loss chart: train and test PSNR, and the spectrum filling in -----------
// The worker measures at each reconstruction (playground/measure.ts); this draws the error per
// frequency band (rows, lowest at the bottom) after each measured epoch (columns), relative to the
// image's own energy in the band: white is learnt, the warm colour not learnt (1 or more).

import { $ } from "./dom.js";
import type { Measure } from "./measure.js";

/** What the page shows, kept where a test can read it back (`globalThis.coordnetLab`). */
export const lab = {
  epochs: 0,
  width: 0,
  height: 0,
  /** the target, row-major [H][W][3] (sent with predictions, for small images) */
  target: null as Float32Array | null,
  measures: [] as Measure[],
};
(globalThis as unknown as { coordnetLab: typeof lab }).coordnetLab = lab;

/** The plot area inside the canvas: room for the axis labels at the left and bottom. */
const PLOT = { left: 64, top: 22, right: 8, bottom: 22 };

/** White (learnt) to the page's warm colour (not learnt), for a relative error clamped to [0, 1]. */
export function cellColor(value: number): [number, number, number] {
  const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1;
  // --warm: #b3540c
  return [Math.round(255 + (0xb3 - 255) * v), Math.round(255 + (0x54 - 255) * v), Math.round(255 + (0x0c - 255) * v)];
}

/** Cell (measure i, band b) in canvas pixels: from its epoch to the next measure's (the last one to the run's end). */
export function cellRect(i: number, band: number, bands: number): { x: number; y: number; w: number; h: number } {
  const canvas = $<HTMLCanvasElement>("spectrum");
  const W = canvas.width - PLOT.left - PLOT.right;
  const H = canvas.height - PLOT.top - PLOT.bottom;
  const span = Math.max(1, lab.epochs + 1);
  const from = lab.measures[i].epoch;
  const to = i + 1 < lab.measures.length ? lab.measures[i + 1].epoch : from + 1;
  const x = PLOT.left + Math.floor((W * from) / span);
  const x2 = PLOT.left + Math.floor((W * to) / span);
  const y = PLOT.top + Math.floor((H * (bands - 1 - band)) / bands);
  const y2 = PLOT.top + Math.floor((H * (bands - band)) / bands);
  return { x, y, w: Math.max(1, x2 - x), h: y2 - y };
}
(lab as unknown as { cellRect: typeof cellRect }).cellRect = cellRect;

export function resetLab(epochs: number, width: number, height: number): void {
  Object.assign(lab, { epochs, width, height, target: null, measures: [] });
  $("psnr-split").textContent = "";
  drawSpectrum();
}

export function addMeasure(m: Measure & { target?: Float32Array }): void {
  if (m.target !== undefined) lab.target = m.target;
  lab.measures.push({ epoch: m.epoch, trainPsnr: m.trainPsnr, testPsnr: m.testPsnr, bands: m.bands, prediction: m.prediction });
  $("psnr-split").textContent =
    m.testPsnr === null
      ? `epoch ${m.epoch}: PSNR ${m.trainPsnr.toFixed(2)} dB on every pixel (hold some out to test between them)`
      : `epoch ${m.epoch}: train PSNR ${m.trainPsnr.toFixed(2)} dB · test PSNR ${m.testPsnr.toFixed(2)} dB (held-out pixels)`;
  drawSpectrum();
}

export function drawSpectrum(): void {
  const canvas = $<HTMLCanvasElement>("spectrum");
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#5a6470";
  ctx.font = "12px system-ui";
  ctx.fillText("error per frequency band after each epoch (white: learnt)", 8, 14);
  const measured = lab.measures.filter((m) => m.bands !== null);
  const summary = $("spectrum-summary");
  if (lab.measures.length > 0 && measured.length === 0) summary.textContent = "the spectrum is measured at 128×128 or smaller";
  if (measured.length === 0) return;
  const bands = (measured[0].bands as number[]).length;
  ctx.fillText("low", 8, canvas.height - PLOT.bottom - 2);
  ctx.fillText("high", 8, PLOT.top + 12);
  ctx.fillText(`epoch 0 … ${lab.epochs}`, PLOT.left, canvas.height - 6);
  lab.measures.forEach((m, i) => {
    m.bands?.forEach((value, b) => {
      const [r, g, bl] = cellColor(value);
      const { x, y, w, h } = cellRect(i, b, bands);
      ctx.fillStyle = `rgb(${r}, ${g}, ${bl})`;
      ctx.fillRect(x, y, w, h);
    });
  });
  const last = measured[measured.length - 1];
  summary.textContent = `after epoch ${last.epoch}, relative error from the lowest band to the highest: ${(last.bands as number[]).map((v) => v.toFixed(2)).join(", ")}`;
}
