/// <reference types="@webgpu/types" />
/**
 * @module
 * Where the hand-written WGSL trainer gets its GPU: `navigator.gpu` in a browser, Dawn (the
 * `webgpu` package, loaded with `import()`) in Node — through the same host seam as gpu.js
 * (`../gpujs/host.ts`, swapped for `host.browser.ts` by bundlers). If gpu.js installed a
 * `navigator.gpu` first, this reuses it; if this runs first, gpu.js reuses this one.
 */

import { type Dawn, gpuHint, loadDawn, NO_GPU_REASON } from "../gpujs/host.js";

/** An adapter answered: its name and whether it is a CPU implementation. */
export interface AdapterFound {
  /** yes */
  readonly ok: true;
  /** vendor, architecture and description, e.g. `google swiftshader (SwiftShader driver 5.0.0)` */
  readonly adapter: string;
  /** a CPU implementation (SwiftShader, llvmpipe, lavapipe, a fallback adapter) rather than a GPU */
  readonly software: boolean;
}

/** No adapter, and why (one line a user can act on). */
export interface AdapterMissing {
  /** no */
  readonly ok: false;
  /** why */
  readonly reason: string;
}

/** What looking for a WebGPU adapter found. */
export type AdapterProbe = AdapterFound | AdapterMissing;

/** `navigator.gpu`, installing Dawn's in Node where there is none; a reason string where neither is. */
async function gpuObject(): Promise<GPU | string> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu !== undefined) return g.navigator.gpu;
  if (gpuHint() === null) return NO_GPU_REASON;
  let dawn: Dawn;
  try {
    dawn = await loadDawn();
  } catch (e) {
    // coordnet lists Dawn as an optional peer (132 MB, five platforms' binaries): a dependent installs it by choice
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && /'webgpu'/.test((e as Error).message)) return DAWN_MISSING;
    return `the webgpu package (Dawn) does not load here: ${(e as Error).message.split("\n")[0]}`;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]) as GPU;
  if (g.navigator === undefined) Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  return gpu;
}

/** Why there is no WebGPU in Node when the `webgpu` package is not installed. */
export const DAWN_MISSING = "the webgpu package (Dawn, WebGPU for Node) is not installed: npm install webgpu";

const NO_ADAPTER =
  "no WebGPU adapter answered (no GPU with a Vulkan driver; without a GPU, Debian's chromium package provides SwiftShader: set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)";

/** The adapter's name, e.g. `google swiftshader (SwiftShader driver 5.0.0)`. */
function describe(adapter: GPUAdapter): string {
  const info = (adapter.info ?? {}) as Partial<GPUAdapterInfo>;
  return [info.vendor, info.architecture, info.description ? `(${info.description})` : ""].filter((s) => s).join(" ") || "unnamed adapter";
}

/** Whether an adapter is a CPU implementation, which `auto` passes over. */
function isSoftware(adapter: GPUAdapter, name: string): boolean {
  const fallback =
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    (adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  return fallback || /swiftshader|llvmpipe|lavapipe|software/i.test(name);
}

let probed: Promise<AdapterProbe> | null = null;

/**
 * Ask for a WebGPU adapter (cached: the first call decides).
 *
 * @example
 * ```ts
 * const probe = await probeAdapter();
 * if (probe.ok) console.log(probe.adapter, probe.software ? "(software)" : "");
 * ```
 */
export function probeAdapter(): Promise<AdapterProbe> {
  probed ??= (async (): Promise<AdapterProbe> => {
    const gpu = await gpuObject();
    if (typeof gpu === "string") return { ok: false, reason: gpu };
    const adapter = await gpu.requestAdapter();
    if (adapter === null || adapter === undefined) return { ok: false, reason: NO_ADAPTER };
    const name = describe(adapter);
    return { ok: true, adapter: name, software: isSoftware(adapter, name) };
  })();
  return probed;
}

/** A device of its own for one trainer, with the adapter's name. */
export interface AcquiredDevice {
  /** the device (destroy it when done: Dawn keeps Node alive while one lives) */
  readonly device: GPUDevice;
  /** the adapter's name */
  readonly adapter: string;
}

/**
 * A fresh adapter and device (an adapter gives one device). The kernels are written for WebGPU's
 * default limits (16 KiB of workgroup memory, 256 invocations), but the largest buffer and storage
 * binding are asked for as large as the adapter allows: at batch 65,536 the study's network's
 * pre-activations alone are 135 MB, above the default binding of 128 MiB.
 *
 * @example
 * ```ts
 * const { device, adapter } = await acquireDevice();
 * ```
 */
export async function acquireDevice(): Promise<AcquiredDevice> {
  const gpu = await gpuObject();
  if (typeof gpu === "string") throw new Error(gpu);
  const adapter = await gpu.requestAdapter();
  if (adapter === null || adapter === undefined) throw new Error(NO_ADAPTER);
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  return { device, adapter: describe(adapter) };
}
