/**
 * @module
 * Where gpu.js runs: its `cpu`, `webasm` and `webgpu` modes, and, for WebGPU in Node, a
 * `navigator.gpu` from the `webgpu` package (Dawn). Dawn 0.6 loads on Debian 12's glibc; gpu.js's
 * own pinned 0.2 does not, so coordnet hands it 0.6 itself.
 */

import * as gpujs from "gpu.js";
import { type Dawn, gpuHint, loadDawn, NO_GPU_REASON } from "./host.js";

const { GPU } = gpujs;
// exported by gpu.js but missing from its typings
const { WebGPUContext } = gpujs as unknown as { WebGPUContext: { destroy(): Promise<void> } };

/** The gpu.js modes coordnet drives. */
export type GpuMode = "webgpu" | "webgl2" | "webasm" | "cpu";

/** A WebGPU adapter answered. */
export interface WebGPUFound {
  /** yes */
  readonly ok: true;
  /** vendor, architecture and description, e.g. `google swiftshader (SwiftShader driver 5.0.0)` */
  readonly adapter: string;
  /** a CPU implementation (SwiftShader, llvmpipe, lavapipe) rather than a GPU */
  readonly software: boolean;
}

/** No WebGPU adapter, and why. */
export interface WebGPUMissing {
  /** no */
  readonly ok: false;
  /** one line a user can act on */
  readonly reason: string;
}

/** The outcome of looking for a WebGPU adapter. */
export type WebGPUProbe = WebGPUFound | WebGPUMissing;

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

let webgpuProbe: Promise<WebGPUProbe> | null = null;

/**
 * Make `navigator.gpu` available (in Node, from the `webgpu` package) and ask for an adapter.
 * Cached: the first call decides. `software` is true for CPU implementations such as
 * SwiftShader, which `auto` does not choose.
 *
 * @example
 * ```ts
 * const probe = await probeWebGPU();
 * if (probe.ok) console.log(probe.adapter); // e.g. "google swiftshader (SwiftShader driver 5.0.0)"
 * ```
 */
export function probeWebGPU(): Promise<WebGPUProbe> {
  webgpuProbe ??= (async (): Promise<WebGPUProbe> => {
    const g = globalThis as { navigator?: { gpu?: GPUish } };
    if (g.navigator?.gpu === undefined && gpuHint() === null) return { ok: false, reason: NO_GPU_REASON };
    if (g.navigator?.gpu === undefined) {
      let dawn: Dawn;
      try {
        dawn = await loadDawn();
      } catch (e) {
        return { ok: false, reason: `the webgpu package (Dawn) does not load here: ${(e as Error).message.split("\n")[0]}` };
      }
      Object.assign(globalThis, dawn.globals);
      const gpu = dawn.create([]) as GPUish;
      if (g.navigator === undefined) Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
      else Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
    }
    const adapter = await (g.navigator as { gpu: GPUish }).gpu.requestAdapter();
    if (adapter === null || adapter === undefined)
      return {
        ok: false,
        reason:
          "no WebGPU adapter answered (no GPU with a Vulkan driver; without a GPU, Debian's chromium package provides SwiftShader: set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)",
      };
    const info = adapter.info ?? {};
    const text = [info.vendor, info.architecture, info.description ? `(${info.description})` : ""].filter((s) => s).join(" ") || "unnamed adapter";
    const software = /swiftshader|llvmpipe|lavapipe|software/i.test(text) || adapter.isFallbackAdapter === true;
    return { ok: true, adapter: text, software };
  })();
  return webgpuProbe;
}

/** The little of the WebGPU API the probe touches. */
interface GPUish {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string }; isFallbackAdapter?: boolean } | null>;
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
  const probe = await probeWebGPU();
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
