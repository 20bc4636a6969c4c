// ---- zoom: the trained network rendered at 2×, 4×, 8×, beside the source upscaled ---------------
// The baseline is the canvas's own smoothing at imageSmoothingQuality "high" (bicubic-like in
// Chromium; the browser chooses the filter), from the image at the size the network trained on.
import { $, field, send, show, state } from "./dom.js";

/** The size the last run trained at (the zoom's 1×). */
let trained: { width: number; height: number } | null = null;

export function zoomReady(width: number, height: number): void {
  trained = { width, height };
  $<HTMLButtonElement>("zoom-run").disabled = false;
  $("zoom-status").textContent = `trained at ${width}×${height}`;
}

export function showZoom(image: ImageData, factor: number): void {
  show($<HTMLCanvasElement>("zoom-network"), image);
  const source = state.source;
  if (source === null || trained === null) return;
  // the source at the training size (what the network saw), then upscaled by the canvas
  const small = new OffscreenCanvas(trained.width, trained.height);
  const sctx = small.getContext("2d") as OffscreenCanvasRenderingContext2D;
  sctx.imageSmoothingQuality = "high";
  const full = new OffscreenCanvas(source.width, source.height);
  (full.getContext("2d") as OffscreenCanvasRenderingContext2D).putImageData(source, 0, 0);
  sctx.drawImage(full, 0, 0, trained.width, trained.height);
  const out = $<HTMLCanvasElement>("zoom-bicubic");
  out.width = trained.width * factor;
  out.height = trained.height * factor;
  const ctx = out.getContext("2d") as CanvasRenderingContext2D;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, 0, 0, out.width, out.height);
  $("zoom-status").textContent = `${factor}×: ${image.width}×${image.height} from a network trained at ${trained.width}×${trained.height}`;
}

export function wireZoom(): void {
  $("zoom-run").addEventListener("click", () => {
    const factor = Number(field("zoom-factor").value);
    $("zoom-status").textContent = `rendering at ${factor}×…`;
    send({ type: "zoom", factor });
  });
}
