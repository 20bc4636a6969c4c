// What every section of the playground page shares: element look-ups, the page's worker, and the
// state several sections read (the image, the chosen backend).
import type { ToWorker } from "../protocol.js";

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const field = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id);

/** The page's URL parameters as it was opened. */
export const params = new URLSearchParams(location.search);
/** `?autorun=1`: the scripted mode (tests and the CLI's checks), which trains from the URL and reports JSON. */
export const scripted = params.get("autorun") === "1";

/** The train view's worker (the lesson starts two of its own). */
export const worker = new Worker(new URL("../train-worker.ts", import.meta.url), { type: "module" });
export const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

export const state = {
  /** the image to train on, as RGBA bytes */
  source: null as ImageData | null,
  sourceName: "the built-in photograph",
  /** the backend the train view and the lesson ask for: `auto` until the probes answer */
  backend: "auto",
};

export function show(canvas: HTMLCanvasElement, image: ImageData): void {
  canvas.width = image.width;
  canvas.height = image.height;
  (canvas.getContext("2d") as CanvasRenderingContext2D).putImageData(image, 0, 0);
}

/** The training size the form asks for, or undefined for the image's own. */
export function sizeChoice(): { width: number; height: number } | undefined {
  const side = Number(field("size").value);
  return side > 0 ? { width: side, height: side } : undefined;
}
