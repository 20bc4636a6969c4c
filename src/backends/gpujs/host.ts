/**
 * @module
 * What the gpu.js backends need from Node, behind one seam: whether the machine shows a GPU, and
 * Dawn (the `webgpu` package) for a `navigator.gpu`. Bundlers building for the browser take
 * `host.browser.ts` instead (package.json's `browser` field), where the browser's own
 * `navigator.gpu` is the only WebGPU.
 */

import { existsSync, readdirSync } from "node:fs";

/**
 * Whether this machine shows any sign of a GPU that Dawn could use: a DRM render node or an NVIDIA
 * device on Linux, any macOS or Windows machine, or a Vulkan driver named in `VK_ICD_FILENAMES`
 * (how a software adapter such as SwiftShader is chosen). Without one, loading Dawn only to hear
 * "no adapter" costs time and fills stderr with driver warnings, so the probe stops here.
 */
export function gpuHint(): string | null {
  if (process.platform === "darwin" || process.platform === "win32") return process.platform;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return "VK_ICD_FILENAMES";
  try {
    if (readdirSync("/dev/dri").some((f) => f.startsWith("renderD"))) return "/dev/dri";
  } catch {}
  return existsSync("/dev/nvidia0") || existsSync("/dev/dxg") ? "GPU device node" : null;
}

/** Dawn's bindings: `create(flags)` makes a `navigator.gpu`, `globals` the WebGPU classes. */
export interface Dawn {
  create(flags: string[]): unknown;
  globals: object;
}

/** Load Dawn (ESM-only, hence `import()`). */
export async function loadDawn(): Promise<Dawn> {
  return (await import("webgpu")) as unknown as Dawn;
}

/** Why there is no WebGPU here, when neither a browser's `navigator.gpu` nor a GPU hint is there. */
export const NO_GPU_REASON =
  "no GPU found (no /dev/dri render node or NVIDIA device); for a software adapter install Debian's chromium and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json";
