/**
 * @module
 * The `webgpu` backend's registry entry: hand-written WGSL kernels (`kernels.ts`) on a WebGPU
 * adapter — `navigator.gpu` in a browser, Dawn (the `webgpu` package) in Node. The trainer and Dawn
 * load only when it is probed or created.
 */

import { checkedBackend } from "../../io/validate.js";
import type { Backend } from "../registry.js";

const loadDevice = () => import("./device.js");
const loadTrainer = () => import("./trainer.js");

/**
 * Hand-written WGSL on WebGPU: four dispatches a step whatever the depth, an epoch in one
 * submission. `auto`'s first choice where a hardware adapter answers (passed over on a software
 * adapter such as SwiftShader, which is a CPU).
 *
 * @example
 * ```ts
 * const { probe } = await probeBackend("webgpu");
 * if (probe.available) console.log(probe.device);
 * ```
 */
export const wgslBackend: Backend = checkedBackend({
  name: "webgpu",
  description: "hand-written WGSL kernels (fused forward, backward, gradients, Adam) on a WebGPU adapter",
  priority: 30,
  probe: async () => {
    const found = await (await loadDevice()).probeAdapter();
    if (!found.ok) return { available: false, reason: found.reason };
    if (found.software) return { available: true, device: found.adapter, autoSkip: `its adapter is a software renderer (${found.adapter}), a CPU` };
    return { available: true, device: found.adapter };
  },
  create: async (options) => (await loadTrainer()).WgslTrainer.create(options),
});
