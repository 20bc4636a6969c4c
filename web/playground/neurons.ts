// ---- every hidden unit as a picture ------------------------------------------------------------
// TensorFlow Playground's idea, for images: each unit's output over the image plane, computed with
// the reference forward (coordnet/reference) from the weights the worker sends every few epochs,
// on a GRID×GRID grid of the training image's coordinates. A layer shows its first SHOWN units
// (all of them when it is narrower): a network's units start exchangeable, so the first few are a
// fair sample, and they stay the same units as it trains. Edges between shown units are coloured
// by their weight: warm positive, cool negative, opacity |w| over the largest shown.
import type { Config } from "coordnet";
import type { LayerWeights } from "coordnet/backends";
import { createEncoder, encodeImageGrid } from "coordnet/encoding";
import { createTape, type MLP, type MLPSpec, mlpForward } from "coordnet/reference";
import { $ } from "./dom.js";

/** Thumbnail side, in grid points. */
export const GRID = 32;
/** Units drawn per layer (and input features per encoding). */
export const SHOWN = 8;

/** What the page used for one diagram: read by the browser test to recompute every thumbnail. */
export interface NeuronSnapshot {
  config: Config;
  epoch: number;
  weights: { weight: number[]; bias: number[] }[];
  matrix: number[] | null;
}

/** The network of `weights`, as the reference's MLP (the arrays are the trainer's, row-major [outputs][inputs]). */
function referenceMLP(config: Config, weights: LayerWeights[]): MLP {
  const { width, depth, activation, outputActivation } = config.network;
  const inputs = weights[0].weight.length / (depth > 0 ? width : 3);
  const spec: MLPSpec = { inputs, outputs: 3, width, depth, activation, outputActivation };
  const layers = weights.map((w) => ({ inputs: w.weight.length / w.bias.length, outputs: w.bias.length, weight: w.weight, bias: w.bias }));
  return { spec, dtype: "float32", layers };
}

/**
 * Every layer's outputs over a side×side grid: [0] the network's inputs (after the encoding), then
 * each hidden layer's activations, each row-major [side·side][units].
 */
export function activations(config: Config, weights: LayerWeights[], matrix: Float32Array | null, side: number): Float32Array[] {
  const encoder = createEncoder(config.encoding, config.training.seed, matrix ?? undefined);
  const x = encodeImageGrid(encoder, side, side) as Float32Array;
  const mlp = referenceMLP(config, weights);
  const tape = createTape(mlp, side * side);
  mlpForward(mlp, tape, x, side * side);
  // a[0] is the input, a[1..depth] the hidden activations
  return tape.a.slice(0, mlp.spec.depth + 1) as Float32Array[];
}

/**
 * One unit's picture: its values min–max scaled to t ∈ [0, 1] (t = 0 where they are all equal),
 * drawn on a ramp whose red channel is round(255·t) exactly (the browser test reads it back).
 */
export function unitImage(values: Float32Array, units: number, unit: number, side: number): ImageData {
  const n = side * side;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < n; p++) {
    const v = values[p * units + unit];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  const image = new ImageData(side, side);
  for (let p = 0; p < n; p++) {
    const t = span > 0 ? (values[p * units + unit] - lo) / span : 0;
    image.data[4 * p] = Math.round(255 * t);
    image.data[4 * p + 1] = Math.round(32 + 182 * t);
    image.data[4 * p + 2] = Math.round(96 - 6 * t);
    image.data[4 * p + 3] = 255;
  }
  return image;
}

const snapshots: Record<string, NeuronSnapshot> = {};
(globalThis as unknown as { coordnetNeurons: Record<string, NeuronSnapshot> }).coordnetNeurons = snapshots;

/** Draw (or redraw) the diagram in the element `id`. */
export function drawNetwork(id: string, config: Config, weights: LayerWeights[], matrix: Float32Array | null, epoch: number): void {
  const root = $(id);
  const a = activations(config, weights, matrix, GRID);
  const widths = [weights[0].weight.length / weights[0].bias.length, ...weights.slice(0, -1).map((w) => w.bias.length)];
  const columns = a.map((values, l) => {
    const shown = Math.min(SHOWN, widths[l]);
    const column = document.createElement("div");
    column.className = "layer";
    const title = document.createElement("span");
    title.textContent = l === 0 ? `inputs ${shown}/${widths[l]}` : `layer ${l} ${shown}/${widths[l]}`;
    column.append(title);
    for (let u = 0; u < shown; u++) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "unit";
      const name = l === 0 ? `input ${u + 1}` : `layer ${l}, unit ${u + 1}`;
      button.setAttribute("aria-label", `${name}: enlarge`);
      const canvas = document.createElement("canvas");
      canvas.width = GRID;
      canvas.height = GRID;
      canvas.dataset.layer = String(l);
      canvas.dataset.unit = String(u);
      (canvas.getContext("2d") as CanvasRenderingContext2D).putImageData(unitImage(values, widths[l], u, GRID), 0, 0);
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
  const ctx = edges.getContext("2d") as CanvasRenderingContext2D;
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
  const side = 96;
  const values = activations(config, weights, matrix, side)[layer];
  const units = values.length / (side * side);
  const canvas = $<HTMLCanvasElement>("unit-large");
  canvas.width = side;
  canvas.height = side;
  (canvas.getContext("2d") as CanvasRenderingContext2D).putImageData(unitImage(values, units, unit, side), 0, 0);
  $("unit-title").textContent = `${name}, over the image (${side}×${side})`;
  $<HTMLDialogElement>("unit-dialog").showModal();
}
