/**
 * @module
 * The browser's side of `host.ts`: WebGPU is the page's own `navigator.gpu` or nothing; there is
 * no Dawn to load.
 */

import type { Dawn } from "./host.js";

/** In a browser, the hint is `navigator.gpu` itself. */
export function gpuHint(): string | null {
  return (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined ? "navigator.gpu" : null;
}

/** There is no Dawn in a browser. */
export async function loadDawn(): Promise<Dawn> {
  throw new Error("Dawn (the webgpu package) is for Node; in a browser, WebGPU is navigator.gpu");
}

/** Why there is no WebGPU in this browser. */
export const NO_GPU_REASON = "this browser has no WebGPU (navigator.gpu is missing; Chrome and Edge have it, behind a flag on Linux)";
