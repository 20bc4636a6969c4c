// ---- the σ / L sweep: where test PSNR peaks -----------------------------------------------------
// Each value of the slider retrains a small network (32×32, every other pixel held out) in a worker
// of its own and plots its train and test PSNR against σ (Gaussian features) or L (positional).
// Too small a scale cannot fit the detail; too large a one fits the training pixels with noise
// between them, so test PSNR falls while train PSNR climbs (Tancik et al. 2020, figure 4).
import type { FromWorker, ToWorker } from "../protocol.js";
import { $, field, state } from "./dom.js";
import { sourceImage } from "./image.js";

export interface SweepPoint {
  kind: string;
  value: number;
  trainPsnr: number;
  testPsnr: number;
}

/** The small run each value trains: 32×32, every other pixel held out, 4 steps an epoch. */
export const SWEEP_RUN = { size: 32, epochs: 40, batchSize: 64 } as const;
/** What "Sweep all" trains, per kind. */
const VALUES: Record<string, number[]> = { gaussian: [1, 2, 4, 6, 8, 12, 16, 24, 32, 40], positional: [1, 2, 3, 4, 5, 6, 7, 8, 10] };

export const sweep = { points: [] as SweepPoint[] };
(globalThis as unknown as { coordnetSweep: typeof sweep }).coordnetSweep = sweep;

let worker: Worker | null = null;
/** values waiting to train, in order */
const queue: number[] = [];
let busy = false;

const kind = () => field("sweep-kind").value;
const symbol = (k: string) => (k === "gaussian" ? "σ" : "L");

function showKind(): void {
  const gaussian = kind() === "gaussian";
  $("sweep-sigma-label").hidden = !gaussian;
  $("sweep-l-label").hidden = gaussian;
  draw();
}

export function wireSweep(): void {
  field("sweep-kind").addEventListener("change", showKind);
  for (const id of ["sweep-sigma", "sweep-l"]) {
    const input = field(id);
    const out = $(`${id}-value`);
    const update = () => {
      out.textContent = input.value;
    };
    input.addEventListener("input", update);
    input.addEventListener("change", () => enqueue([Number(input.value)]));
    update();
  }
  $("sweep-all").addEventListener("click", () => enqueue(VALUES[kind()]));
  $("sweep-clear").addEventListener("click", () => {
    sweep.points = sweep.points.filter((p) => p.kind !== kind());
    draw();
  });
}

/** The controls as restored from the URL: the right slider shown, its number written. */
export function sweepRestored(): void {
  for (const id of ["sweep-sigma", "sweep-l"]) $(`${id}-value`).textContent = field(id).value;
  showKind();
}

function enqueue(values: number[]): void {
  queue.push(...values);
  if (!busy) next().catch((e) => status(`error: ${(e as Error).message}`));
}

const status = (text: string) => {
  $("sweep-status").textContent = text;
};

async function next(): Promise<void> {
  const value = queue.shift();
  if (value === undefined) {
    busy = false;
    status(`done: ${sweep.points.length} run${sweep.points.length === 1 ? "" : "s"} plotted`);
    return;
  }
  busy = true;
  const k = kind();
  const image = await sourceImage();
  status(
    `training ${symbol(k)} = ${value} (${SWEEP_RUN.size}×${SWEEP_RUN.size}, ${SWEEP_RUN.epochs} epochs)…${queue.length > 0 ? ` ${queue.length} more` : ""}`,
  );
  if (worker === null) {
    worker = new Worker(new URL("../train-worker.ts", import.meta.url), { type: "module" });
    await new Promise<void>((resolve) => (worker as Worker).addEventListener("message", () => resolve(), { once: true }));
  }
  const w = worker;
  const point = await new Promise<SweepPoint>((resolve, reject) => {
    let last: SweepPoint | null = null;
    const onMessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === "measured" && m.testPsnr !== null) last = { kind: k, value, trainPsnr: m.trainPsnr, testPsnr: m.testPsnr };
      if (m.type === "error") reject(new Error(m.message));
      if (m.type === "done" || m.type === "error") w.removeEventListener("message", onMessage);
      if (m.type === "done" && last !== null) resolve(last);
    };
    w.addEventListener("message", onMessage);
    const data = new Uint8ClampedArray(image.data);
    const start: ToWorker = {
      type: "start",
      image: { width: image.width, height: image.height, data },
      preset: k,
      overrides: {
        ...(k === "gaussian" ? { sigma: value } : { frequencies: value }),
        holdout: "every-other",
        epochs: SWEEP_RUN.epochs,
        batchSize: SWEEP_RUN.batchSize,
        seed: 0,
      },
      backend: state.backend,
      size: { width: SWEEP_RUN.size, height: SWEEP_RUN.size },
    };
    w.postMessage(start, [data.buffer]);
  });
  sweep.points = [...sweep.points.filter((p) => p.kind !== k || p.value !== value), point].sort((a, b) => a.value - b.value);
  draw();
  return next();
}

/** Train and test PSNR against the value, the peak of test PSNR marked. */
function draw(): void {
  const canvas = $<HTMLCanvasElement>("sweep-chart");
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const { width: W, height: H } = canvas;
  const k = kind();
  const points = sweep.points.filter((p) => p.kind === k);
  ctx.clearRect(0, 0, W, H);
  ctx.font = "12px system-ui";
  ctx.fillStyle = "#5a6470";
  ctx.fillText(`PSNR (dB) against ${symbol(k)}: train (grey), test on held-out pixels (blue)`, 8, 14);
  const summary = $("sweep-summary");
  if (points.length === 0) {
    summary.textContent = `no runs yet: move the slider or sweep all`;
    return;
  }
  const xs = points.map((p) => p.value);
  const ys = points.flatMap((p) => [p.trainPsnr, p.testPsnr]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys) - 0.5, Math.max(...ys) + 0.5];
  const px = (v: number) => 40 + (W - 60) * (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5);
  const py = (v: number) => 24 + (H - 44) * (1 - (v - y0) / (y1 - y0));
  for (const [key, color] of [
    ["trainPsnr", "#5a6470"],
    ["testPsnr", "#0b5cad"],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const [i, p] of points.entries()) {
      if (i === 0) ctx.moveTo(px(p.value), py(p[key]));
      else ctx.lineTo(px(p.value), py(p[key]));
    }
    ctx.stroke();
    for (const p of points) ctx.fillRect(px(p.value) - 3, py(p[key]) - 3, 6, 6);
  }
  const peak = points.reduce((a, b) => (b.testPsnr > a.testPsnr ? b : a));
  ctx.strokeStyle = "#b3540c";
  ctx.strokeRect(px(peak.value) - 6, py(peak.testPsnr) - 6, 12, 12);
  ctx.fillStyle = "#5a6470";
  ctx.fillText(`${symbol(k)} = ${x0}`, 36, H - 4);
  ctx.fillText(`${x1}`, W - 30, H - 4);
  ctx.fillText(`${y1.toFixed(1)}`, 2, 30);
  ctx.fillText(`${y0.toFixed(1)}`, 2, H - 20);
  summary.textContent = `test PSNR peaks at ${symbol(k)} = ${peak.value} (${peak.testPsnr.toFixed(2)} dB, train ${peak.trainPsnr.toFixed(2)} dB) of ${points.length} run${points.length === 1 ? "" : "s"}: ${points.map((p) => `${p.value}: ${p.testPsnr.toFixed(2)}`).join(", ")}`;
}
