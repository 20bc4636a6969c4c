/**
 * @module
 * The `webgpu` backend's registry entry: hand-written WGSL kernels (`kernels.ts`) on a WebGPU
 * adapter — `navigator.gpu` in a browser, Dawn (the `webgpu` package) in Node. The trainer and Dawn
 * load only when it is probed or created.
 */

import { type MemoryPart, networkUnits } from "../../limits.js";
import type { MLPSpec } from "../../reference/mlp.js";
import { checkedBackend } from "../checks.js";
import type { Backend } from "../types.js";

const loadDevice = () => import("./device.js");
const loadTrainer = () => import("./trainer.js");

/**
 * What a trainer allocates on its device (the host's memory, on a software adapter), by the
 * buffers of `kernels.ts`: params, grads, m and v; z, dz and acts for the batch; and the batch's
 * scratch rows. The image's inputs and targets come on top, once per run.
 */
function wgslMemory(spec: MLPSpec, batch: number): MemoryPart[] {
  const { params, outUnits: units, sizes } = networkUnits(spec);
  const f = 4;
  return [
    { what: "weights, gradients, Adam m and v (device buffers)", bytes: 4 * params * f },
    {
      what: `pre-activations, activations and dz (${spec.depth} × ${spec.width} units, batch ${batch}; device buffers)`,
      bytes: (3 * units + sizes[0] + 2 * spec.outputs + 2) * batch * f,
    },
  ];
}

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
    if (found.software) return { available: true, device: found.adapter, autoSkip: "its adapter is a software renderer (WebGPU on the CPU)" };
    return { available: true, device: found.adapter };
  },
  create: async (options) => (await loadTrainer()).WgslTrainer.create(options),
  memory: wgslMemory,
});
