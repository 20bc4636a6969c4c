// ---- every hidden unit as a picture ------------------------------------------------------------
// TensorFlow Playground's idea, for images: each unit's output over the image plane, computed with
// the reference forward (coordnet/reference, in units.ts) by the training worker every few epochs
// from its weights, on a GRID×GRID grid of the training image's coordinates; this file paints. A layer shows its first SHOWN units
// (all of them when it is narrower): a network's units start exchangeable, so the first few are a
// fair sample, and they stay the same units as it trains. Edges between shown units are coloured
// by their weight: warm positive, cool negative, opacity |w| over the largest shown.
import type { Config } from "coordnet";
import type { LayerWeights } from "coordnet/backends";
import { $ } from "./dom.js";
import { GRID, SHOWN, type UnitPlanes, unitPlanes } from "./units.js";

/** What the page used for one diagram: read by the browser test to recompute every thumbnail. */
export interface NeuronSnapshot {
  config: Config;
  epoch: number;
  weights: { weight: number[]; bias: number[] }[];
  matrix: number[] | null;
}

/**
 * One unit's picture: its values min–max scaled to t ∈ [0, 1] (t = 0 where they are all equal),
 * drawn on a ramp whose red channel is round(255·t) exactly (the browser test reads it back).
 */
export function unitImage(plane: Float32Array, side: number): ImageData {
  const n = side * side;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < n; p++) {
    if (plane[p] < lo) lo = plane[p];
    if (plane[p] > hi) hi = plane[p];
  }
  const span = hi - lo;
  const image = new ImageData(side, side);
  for (let p = 0; p < n; p++) {
    const t = span > 0 ? (plane[p] - lo) / span : 0;
    image.data[4 * p] = Math.round(255 * t);
    image.data[4 * p + 1] = Math.round(32 + 182 * t);
    image.data[4 * p + 2] = Math.round(96 - 6 * t);
    image.data[4 * p + 3] = 255;
  }
  return image;
}

/** The diagram's canvases are drawn in memory (see drawNetwork). */
const SOFTWARE: CanvasRenderingContext2DSettings = { willReadFrequently: true };

const snapshots: Record<string, NeuronSnapshot> = {};
(globalThis as unknown as { coordnetNeurons: Record<string, NeuronSnapshot> }).coordnetNeurons = snapshots;

/** Draw (or redraw) the diagram in the element `id`. */
export function drawNetwork(id: string, config: Config, weights: LayerWeights[], matrix: Float32Array | null, epoch: number, units: UnitPlanes): void {
  const root = $(id);
  const { side } = units;
  const widths = units.columns.map((c) => c.width);
  const columns = units.columns.map(({ planes }, l) => {
    const shown = Math.min(SHOWN, widths[l]);
    const column = document.createElement("div");
    column.className = "layer";
    const title = document.createElement("span");
    // two short lines, so that five columns fit a quarter of a wide screen
    title.append(l === 0 ? "inputs" : `layer ${l}`, document.createElement("br"), `${shown}/${widths[l]}`);
    column.append(title);
    for (let u = 0; u < shown; u++) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "unit";
      const name = l === 0 ? `input ${u + 1}` : `layer ${l}, unit ${u + 1}`;
      button.setAttribute("aria-label", `${name}: enlarge`);
      const canvas = document.createElement("canvas");
      canvas.width = side;
      canvas.height = side;
      canvas.dataset.layer = String(l);
      canvas.dataset.unit = String(u);
      // willReadFrequently: a canvas in memory, not one more GPU surface per unit (on a software
      // GPU such as SwiftShader, dozens of them slowed every frame of the page)
      (canvas.getContext("2d", SOFTWARE) as CanvasRenderingContext2D).putImageData(
        unitImage(planes.subarray(u * side * side, (u + 1) * side * side), side),
        0,
        0,
      );
      button.append(canvas);
      button.addEventListener("click", () => enlarge(name, config, weights, matrix, l, u));
      column.append(button);
    }
    return column;
  });
  const edges = document.createElement("canvas");
  edges.className = "edges";
  edges.setAttribute("aria-hidden", "true");
  root.replaceChildren(edges, ...columns);
  drawEdges(root, edges, columns, weights);
  snapshots[id] = {
    config,
    epoch,
    weights: weights.map((w) => ({ weight: Array.from(w.weight), bias: Array.from(w.bias) })),
    matrix: matrix === null ? null : Array.from(matrix),
  };
}

/** Lines between the shown units of neighbouring columns, weight w[j][i] from unit i to unit j. */
function drawEdges(root: HTMLElement, edges: HTMLCanvasElement, columns: HTMLElement[], weights: LayerWeights[]): void {
  const box = root.getBoundingClientRect();
  edges.width = Math.max(1, Math.round(root.scrollWidth));
  edges.height = Math.max(1, Math.round(box.height));
  const ctx = edges.getContext("2d", SOFTWARE) as CanvasRenderingContext2D;
  const centre = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { x: r.left - box.left + root.scrollLeft, y: r.top - box.top + r.height / 2, w: r.width };
  };
  const units = columns.map((c) => [...c.querySelectorAll("button.unit")].map(centre));
  for (let l = 0; l + 1 < columns.length; l++) {
    const w = weights[l];
    const fanIn = w.weight.length / w.bias.length;
    let max = 0;
    for (let j = 0; j < units[l + 1].length; j++) for (let i = 0; i < units[l].length; i++) max = Math.max(max, Math.abs(w.weight[j * fanIn + i]));
    for (let j = 0; j < units[l + 1].length; j++)
      for (let i = 0; i < units[l].length; i++) {
        const v = w.weight[j * fanIn + i];
        ctx.globalAlpha = max > 0 ? Math.abs(v) / max : 0;
        ctx.strokeStyle = v >= 0 ? "#b3540c" : "#0b5cad";
        ctx.beginPath();
        ctx.moveTo(units[l][i].x + units[l][i].w, units[l][i].y);
        ctx.lineTo(units[l + 1][j].x, units[l + 1][j].y);
        ctx.stroke();
      }
  }
}

/** One unit, computed again on a finer grid, in a dialog. */
function enlarge(name: string, config: Config, weights: LayerWeights[], matrix: Float32Array | null, layer: number, unit: number): void {
  const side = 3 * GRID;
  const { planes } = unitPlanes(config, weights, matrix, side).columns[layer];
  const canvas = $<HTMLCanvasElement>("unit-large");
  canvas.width = side;
  canvas.height = side;
  (canvas.getContext("2d") as CanvasRenderingContext2D).putImageData(unitImage(planes.subarray(unit * side * side, (unit + 1) * side * side), side), 0, 0);
  $("unit-title").textContent = `${name}, over the image (${side}×${side})`;
  $<HTMLDialogElement>("unit-dialog").showModal();
}
