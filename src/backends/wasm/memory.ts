/**
 * @module
 * The wasm trainer's memory plan: every buffer a step touches, laid out once in one shared
 * WebAssembly memory (a step then allocates no buffers), each a pointer for the kernels and a
 * Float32Array view onto the same bytes for JavaScript.
 */

import { layerSizes, type MLPSpec } from "../../reference/mlp.js";
import { BackendUnavailableError } from "../registry.js";

/** A float32 region of the WebAssembly memory: its byte offset and a view onto it. */
export interface Region {
  readonly ptr: number;
  readonly view: Float32Array;
}

/** One layer's regions. */
export interface LayerRegions {
  readonly nIn: number;
  readonly nOut: number;
  /** W [nOut][nIn] (PyTorch layout), b [nOut]: parts of the one parameter block */
  readonly W: Region;
  readonly b: Region;
  /** their gradients, parts of the one gradient block (same layout) */
  readonly dW: Region;
  readonly db: Region;
  /** Wᵀ [nIn][nOut], copied from W once per step for the forward product */
  readonly Wt: Region;
  /** z = a·Wᵀ + b [B][nOut]; a_next = act(z) [B][nOut]; da_next, reused as dz [B][nOut] */
  readonly z: Region;
  readonly aNext: Region;
  readonly daNext: Region;
}

/** Every buffer of a trainer, in its memory. */
export interface MemoryPlan {
  readonly memory: WebAssembly.Memory;
  readonly layers: LayerRegions[];
  /** every parameter [W₀, b₀, W₁, b₁, …] back to back; gradients, m and v in the same layout */
  readonly params: Region;
  readonly grads: Region;
  readonly m: Region;
  readonly v: Region;
  /** input batch [B][inputs], targets [B][outputs] */
  readonly x: Region;
  readonly y: Region;
  /** dz transposed, [nOut][count]; a narrow layer input transposed, [nIn][count] */
  readonly dzT: Region;
  readonly aT: Region;
  /** coordinates of a batch whose inputs are encoded on demand, [B][2] */
  readonly coords: Region;
  /** a Gaussian encoding's B as two float64 columns [2][m] (m = inputs / 2), for the encode kernel */
  readonly encodingMatrix: { readonly ptr: number; readonly view: Float64Array };
}

/** WebAssembly memory's limit, in 64 KiB pages (4 GiB; the kernels are built with this maximum). */
const MAX_PAGES = 65536;

/**
 * Outputs (and layer inputs) narrower than this use the dot-product kernel (gemmNT) instead of
 * gemm's 8-column tiles.
 *
 * @example
 * ```ts
 * if (l.nOut < NARROW) k.gemmNT(a, W, z, count, nIn, nOut, b);
 * ```
 */
export const NARROW = 8;

/**
 * Lay out every buffer for `spec` and batches of up to `B`, 16-byte aligned, after the kernel
 * module's static data (so never at 0, which stands for "none" in the kernels), in a new shared
 * memory.
 *
 * @example
 * ```ts
 * const plan = planMemory(spec, 1024, kernelBuild().heapBase);
 * plan.layers[0].W.view.set(weights[0].weight);
 * ```
 */
export function planMemory(spec: MLPSpec, B: number, heapBase: number): MemoryPlan {
  const sizes = layerSizes(spec);
  const shapes = sizes.slice(1).map((nOut, l) => ({ nIn: sizes[l], nOut }));
  const nParams = shapes.reduce((n, { nIn, nOut }) => n + nOut * nIn + nOut, 0);
  let top = Math.ceil(Math.max(16, heapBase) / 16) * 16;
  const take = (floats: number) => {
    const ptr = top;
    top += Math.ceil(floats / 4) * 16;
    return { ptr, floats };
  };
  const plan = {
    params: take(nParams),
    grads: take(nParams),
    m: take(nParams),
    v: take(nParams),
    layers: shapes.map(({ nIn, nOut }) => ({ Wt: take(nIn * nOut), z: take(B * nOut), aNext: take(B * nOut), daNext: take(B * nOut) })),
    dzT: take(B * Math.max(...sizes.slice(1))),
    aT: take(B * NARROW),
    coords: take(2 * B),
    encodingMatrix: take(2 * sizes[0]),
    x: take(B * sizes[0]),
    y: take(B * spec.outputs),
  };
  const pages = Math.ceil(top / 65536) + 1;
  if (pages > MAX_PAGES)
    throw new BackendUnavailableError(
      `the wasm backend cannot hold this network with batches of ${B}: it needs ${(top / 2 ** 30).toFixed(1)} GiB of WebAssembly memory, more than its 4 GiB; use a smaller --batch-size or --width, or another --backend`,
    );
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const region = ({ ptr, floats }: { ptr: number; floats: number }): Region => ({ ptr, view: new Float32Array(memory.buffer, ptr, floats) });
  // a layer's parameters (and gradients) are parts of the one block: W then b, layer after layer
  const part = (block: { ptr: number }, at: number, floats: number) => region({ ptr: block.ptr + 4 * at, floats });
  let offset = 0;
  const layers = shapes.map(({ nIn, nOut }, l) => {
    const layer = {
      nIn,
      nOut,
      W: part(plan.params, offset, nOut * nIn),
      b: part(plan.params, offset + nOut * nIn, nOut),
      dW: part(plan.grads, offset, nOut * nIn),
      db: part(plan.grads, offset + nOut * nIn, nOut),
      Wt: region(plan.layers[l].Wt),
      z: region(plan.layers[l].z),
      aNext: region(plan.layers[l].aNext),
      daNext: region(plan.layers[l].daNext),
    };
    offset += nOut * nIn + nOut;
    return layer;
  });
  return {
    memory,
    layers,
    params: region(plan.params),
    grads: region(plan.grads),
    m: region(plan.m),
    v: region(plan.v),
    x: region(plan.x),
    y: region(plan.y),
    dzT: region(plan.dzT),
    aT: region(plan.aT),
    coords: region(plan.coords),
    encodingMatrix: { ptr: plan.encodingMatrix.ptr, view: new Float64Array(memory.buffer, plan.encodingMatrix.ptr, plan.encodingMatrix.floats / 2) },
  };
}
