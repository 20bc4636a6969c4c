/**
 * @module
 * The `webgl2` backend: the gpu.js kernels of this folder (the same kernels as `webgpu`,
 * `gpujs-wasm` and `gpujs-cpu`) in gpu.js's WebGL2 mode, a fragment shader per kernel rendering
 * into float32 textures (`precision: "single"`, which needs `EXT_color_buffer_float`). It exists
 * only in browsers; the registry lists it only where `WebGL2RenderingContext` exists.
 *
 * What is checked (test/browser.test.ts, Chromium on SwiftShader): `compareBackends("reference",
 * "webgl2")` — predictions, forward, loss, every gradient, Adam's moments and the weights after
 * the steps — passes on five fixed networks: the study's (2 → 4×128 relu → 3 sigmoid, batch 256,
 * 3 steps; worst entry 0.073 of its bound), and four that mirror the Node parity suite's cases,
 * 2 steps each: 20 → 3×64 gelu → identity, batch 37 (0.066); 1031 tanh units, past gpu.js's loop
 * limit, batch 3 (0.059); a 42-input 2×13 SIREN, batch 1 (0.752 of its ×10 bound); 20 → 2×12 elu
 * → identity, batch 1500, past the loop limit (0.067). The Node parity suite itself (random
 * architectures) cannot run it (Node has no WebGL2), nor are hardware GPUs checked. Adam past
 * step 1 is checked in Node (test/adam-offset.test.ts) on the trainer it shares with gpujs-cpu
 * and gpujs-wasm. `auto` passes it over: on a software renderer it is far slower than wasm, and
 * on a hardware one its speed has not been measured yet.
 *
 * Precision: storage is IEEE float32 (R32F/RGBA32F textures), arithmetic is GLSL ES 3.00 `highp`
 * float, which the standard requires to be float32-ranged but lets a GPU compute `exp`, `tanh`,
 * `sin`, `pow` and division with a few ulps of error. Adam's bias corrections therefore come from
 * the host in float64 (see `adamKernel`): computed in the shader from a float32 `pow`, they made
 * every update 3·10⁻⁵ too large on SwiftShader, which moved the next step's gradients of layers
 * 0–2 by up to 5% and failed the study network's comparison on Adam's moments (up to 411× the bound).
 */

import { kernelOutputMemory } from "../../limits.js";
import { checkedBackend } from "../checks.js";
import type { Backend, ProbeResult } from "../types.js";

const load = () => import("./trainer.js");

/** The few WebGL types the probe uses (TypeScript ships them only with the DOM library). */
interface GL {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
}

type CanvasMaker = { getContext(kind: "webgl2"): GL | null };

const scope = globalThis as unknown as {
  WebGL2RenderingContext?: unknown;
  OffscreenCanvas?: new (w: number, h: number) => CanvasMaker;
  document?: { createElement(tag: "canvas"): CanvasMaker };
};

/**
 * Whether this JavaScript environment has WebGL2 at all (a browser, a page or a worker); the
 * `webgl2` backend is registered only where it does.
 *
 * @example
 * ```ts
 * hasWebGL2(); // false in Node, true in current browsers
 * ```
 */
export function hasWebGL2(): boolean {
  return scope.WebGL2RenderingContext !== undefined;
}

let probed: Promise<ProbeResult> | null = null;

/** Make a WebGL2 context and check what gpu.js's single precision needs; name the renderer. */
function probeWebGL2(): Promise<ProbeResult> {
  probed ??= (async (): Promise<ProbeResult> => {
    if (!hasWebGL2()) return { available: false, reason: "no WebGL2 here (a browser API: Node has none)" };
    const canvas = scope.OffscreenCanvas !== undefined ? new scope.OffscreenCanvas(1, 1) : scope.document?.createElement("canvas");
    const gl = canvas?.getContext("webgl2") ?? null;
    if (gl === null) return { available: false, reason: "this browser did not give a WebGL2 context (disabled, or no GPU driver it trusts)" };
    if (gl.getExtension("EXT_color_buffer_float") === null)
      return { available: false, reason: "WebGL2 here has no float32 render targets (EXT_color_buffer_float), which single precision needs" };
    const debug = gl.getExtension("WEBGL_debug_renderer_info") as { UNMASKED_RENDERER_WEBGL: number } | null;
    const renderer = String(gl.getParameter(debug?.UNMASKED_RENDERER_WEBGL ?? 0x1f01 /* RENDERER */) ?? "WebGL2");
    (gl.getExtension("WEBGL_lose_context") as { loseContext(): void } | null)?.loseContext();
    if (/swiftshader|llvmpipe|software|basic render/i.test(renderer))
      return { available: true, device: renderer, autoSkip: `its renderer is software (${renderer}), slower than wasm` };
    // correct where checked (compareBackends on five networks, see above) but never timed on a GPU: wasm is the measured choice
    return { available: true, device: renderer, autoSkip: "its speed on a hardware GPU is not measured yet (wasm's is); ask for it by name" };
  })();
  return probed;
}

/**
 * gpu.js in WebGL2 mode (browser only): the gpu.js kernels as fragment shaders over float32
 * textures. Called `webgl2` before; that name still works, with a note. Below `wasm` in the
 * registry's order, and `auto` passes it over (not yet timed on a hardware GPU).
 *
 * @example
 * ```ts
 * if (hasWebGL2()) registerBackend(gpujsWebgl2Backend);
 * ```
 */
export const gpujsWebgl2Backend: Backend = checkedBackend({
  name: "gpujs-webgl2",
  description: "gpu.js kernels as WebGL2 fragment shaders over float32 textures (browsers)",
  priority: 12,
  probe: probeWebGL2,
  create: async (options) => (await load()).GpuTrainer.create("webgl2", options, "gpujs-webgl2"),
  memory: kernelOutputMemory,
});

/**
 * The mode a pipeline ran in, as the trainer names modes: gpu.js names every GL kernel's mode
 * `gpu` (WebGL1, WebGL2 and headless GL alike), so in `webgl2` mode the GPU instance's kernel
 * class (gpu.js's `WebGL2Kernel`, passed in by the trainer, which has gpu.js loaded) tells.
 */
export function ranMode(gpu: unknown, requested: string, reported: string | null, webgl2Kernel: unknown): string | null {
  if (requested !== "webgl2" || reported !== "gpu") return reported;
  return webgl2Kernel !== undefined && (gpu as { Kernel?: unknown }).Kernel === webgl2Kernel ? "webgl2" : "gpu (GL, not WebGL2)";
}
