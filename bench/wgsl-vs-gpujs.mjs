// Seconds per epoch on the study's network (2 → 128×4 relu → 3 sigmoid, batch 1024) at SIDE×SIDE:
// webgpu (hand-written WGSL) against gpujs-webgpu, in one process, epochs interleaved so that both
// see the same machine load (issue 18: webgpu at least 3× faster on SwiftShader). Build first (npx tsc -p tsconfig.build.json), then
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/wgsl-vs-gpujs.mjs   (SIDE=64 EPOCHS=3 by default)

import { releaseWebGPU } from "../dist/backends/gpujs/device.js";
import { GpuTrainer } from "../dist/backends/gpujs/trainer.js";
import { WgslTrainer } from "../dist/backends/webgpu/trainer.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";

const side = Number(process.env.SIDE ?? 64),
  B = 1024,
  epochs = Number(process.env.EPOCHS ?? 3);
const spec = { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" };
const mlp = createMLP(spec, new Rng(0, "init"));
const opts = { spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights: mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias })), maxBatch: B };
const N = side * side,
  rng = new Rng(1, "data");
const inputs = Float32Array.from({ length: N * 2 }, (_, k) => ((k % 2 ? Math.floor(k / 2 / side) : (k / 2) % side) + 0.5) / side);
const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
const order = Uint32Array.from({ length: N }, (_, i) => (i * 2654435761) % N);
const trainers = { webgpu: await WgslTrainer.create(opts), "gpujs-webgpu": await GpuTrainer.create("webgpu", opts, "gpujs-webgpu") };
const seconds = { webgpu: [], "gpujs-webgpu": [] };
const loss = {};
for (let e = -1; e < epochs; e++)
  for (const [name, t] of Object.entries(trainers)) {
    const t0 = performance.now();
    loss[name] = (await t.epoch(inputs, targets, order, B, 1e-3)).lossSum / N;
    if (e >= 0) seconds[name].push((performance.now() - t0) / 1000); // epoch −1 warms up
  }
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const name of Object.keys(trainers))
  console.log(`${name}: ${mean(seconds[name]).toFixed(3)} s/epoch [${seconds[name].map((s) => s.toFixed(2)).join(", ")}], loss ${loss[name].toFixed(6)}`);
console.log(`${side}×${side}, batch ${B}, ${epochs} epochs each after a warm-up, interleaved; adapter: ${trainers.webgpu.info.details.adapter}`);
console.log(`gpujs-webgpu / webgpu: ${(mean(seconds["gpujs-webgpu"]) / mean(seconds.webgpu)).toFixed(2)}×`);
for (const t of Object.values(trainers)) await t.dispose();
await releaseWebGPU();
