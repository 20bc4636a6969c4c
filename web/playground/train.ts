// ---- the train view: start, pause, resume, step, stop; downloads --------------------------------
import type { ToWorker } from "../protocol.js";
import { drawChart } from "./chart.js";
import { $, send, sizeChoice, state } from "./dom.js";
import { sourceImage } from "./image.js";
import { overrides, presetChoice } from "./options.js";

export const run = {
  running: false,
  losses: [] as number[],
};

export function drawLoss(): void {
  drawChart($<HTMLCanvasElement>("loss"), [{ label: "loss", color: "#0b5cad", values: run.losses }]);
}

export function setRunning(on: boolean, paused = false): void {
  run.running = on;
  $<HTMLButtonElement>("train").disabled = on;
  $<HTMLButtonElement>("pause").disabled = !on || paused;
  $<HTMLButtonElement>("resume").disabled = !on || !paused;
  $<HTMLButtonElement>("stop").disabled = !on;
}

export function status(text: string): void {
  $("status").textContent = text;
}

export type StartOptions = Omit<Extract<ToWorker, { type: "start" }>, "type" | "image">;

export async function start(options: StartOptions): Promise<void> {
  const image = await sourceImage();
  run.losses = [];
  drawLoss();
  const data = new Uint8ClampedArray(image.data);
  send({ type: "start", image: { width: image.width, height: image.height, data }, ...options }, [data.buffer]);
  setRunning(true, options.paused === true);
  status(`starting on ${options.backend} with ${state.sourceName}…`);
}

function startFromForm(paused: boolean): void {
  start({ preset: presetChoice(), overrides: overrides(), backend: state.backend, size: sizeChoice(), paused }).catch((e) => status((e as Error).message));
}

export function wireTrain(): void {
  $("train").addEventListener("click", () => startFromForm(false));
  $("pause").addEventListener("click", () => {
    send({ type: "pause" });
    setRunning(true, true);
  });
  $("resume").addEventListener("click", () => {
    send({ type: "resume" });
    setRunning(true, false);
  });
  $("step").addEventListener("click", () => {
    if (!run.running) startFromForm(true);
    send({ type: "step" });
    setRunning(true, true);
  });
  $("stop").addEventListener("click", () => send({ type: "stop" }));
}

/** A download link (made once, its target replaced after each run). */
export function setDownload(id: string, url: string): void {
  let a = document.getElementById(id) as HTMLAnchorElement | null;
  if (a === null) {
    a = document.createElement("a");
    a.id = id;
    a.download = id === "download-model" ? "model.safetensors" : "reconstruction.png";
    a.textContent = `download ${a.download}`;
    $("downloads").append(a);
  }
  a.href = url;
}

export async function pngUrl(image: ImageData): Promise<string> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  (canvas.getContext("2d") as OffscreenCanvasRenderingContext2D).putImageData(image, 0, 0);
  return URL.createObjectURL(await canvas.convertToBlob({ type: "image/png" }));
}
