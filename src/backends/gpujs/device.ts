/**
 * @module
 * Where gpu.js runs: its `cpu`, `webasm` and `webgpu` modes. For WebGPU, the adapter is found by
 * the hand-written backend's `probeAdapter` (`../webgpu/device.ts`), which in Node installs a
 * `navigator.gpu` from the `webgpu` package (Dawn 0.6, which loads on Debian 12's glibc; gpu.js's
 * own pinned 0.2 does not), and gpu.js uses that one.
 */

import * as gpujs from "#gpu.js";
// one adapter discovery for both WebGPU backends (it installs Dawn's navigator.gpu in Node, which gpu.js then uses)
import { probeAdapter } from "../webgpu/device.js";

const { GPU } = gpujs;
// exported by gpu.js but missing from its typings
const { WebGPUContext } = gpujs as unknown as { WebGPUContext: { destroy(): Promise<void> } };

/** The gpu.js modes coordnet drives. */
export type GpuMode = "webgpu" | "webgl2" | "webasm" | "cpu";

/** A gpu.js mode can run here. */
export interface ModeAvailable {
  /** yes */
  readonly available: true;
  /** webgpu: the adapter */
  readonly adapter?: string;
  /** webgpu: whether the adapter is a software renderer */
  readonly software?: boolean;
}

/** Whether a gpu.js mode can run here: yes, or no and why. */
export type ModeProbe = ModeAvailable | ModeUnavailable;

/** A gpu.js mode cannot run here. */
export interface ModeUnavailable {
  /** no */
  readonly available: false;
  /** why */
  readonly reason: string;
}

/**
 * Whether a gpu.js mode can run here, and if not, why.
 *
 * @example
 * ```ts
 * await modeAvailable("webasm"); // { available: true }
 * ```
 */
export async function modeAvailable(mode: GpuMode): Promise<ModeProbe> {
  if (mode === "cpu") return { available: true };
  if (mode === "webgl2") return GPU.isWebGL2Supported ? { available: true } : { available: false, reason: "no WebGL2 here (a browser API: Node has none)" };
  if (mode === "webasm")
    return GPU.isWebAssemblySupported ? { available: true } : { available: false, reason: "WebAssembly with SIMD is not supported by this JavaScript engine" };
  const probe = await probeAdapter();
  return probe.ok ? { available: true, adapter: probe.adapter, software: probe.software } : { available: false, reason: probe.reason };
}

/**
 * Release the shared WebGPU device (gpu.js keeps one per process), so that Dawn lets the process
 * exit. Safe to call when none was made.
 *
 * @example
 * ```ts
 * await releaseWebGPU();
 * ```
 */
export async function releaseWebGPU(): Promise<void> {
  await WebGPUContext.destroy();
}
