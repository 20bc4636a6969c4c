// One bench measurement in a fresh process (so that peak memory is this measurement's own):
//   node bench/worker.mjs BACKEND PRESET SAMPLES REPEATS [DEADLINE]
// Prints one JSON line: { backend, preset, samples, seconds: [...], cpuSeconds: [...] (CPU time of
// all its threads per timed epoch), stamps: [[start, end], …],
// details, peakRssMB }; stamps are each timed epoch's wall-clock start and end (ms since 1970).
// With DEADLINE (ms since 1970), it runs at least REPEATS epochs and goes on until DEADLINE (the
// contention bench starts several at once and keeps only the epochs they all overlap).
import { readFileSync } from "node:fs";
import { releaseWebGPU } from "../dist/backends/gpujs/device.js";
// registers every built-in backend
import { requireBackend } from "../dist/backends/index.js";
import { createEncoder, encodeImageGrid, pixelCoordinates } from "../dist/encoding/index.js";
import { initialWeights, networkSpec } from "../dist/network.js";
import { loadPreset } from "../dist/presets.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";
import { advanceSape, sapeInputs } from "../dist/training/sape.js";

const [backendName, presetName, samplesArg, repeatsArg, deadlineArg] = process.argv.slice(2);
const deadline = Number(deadlineArg ?? 0);
const config = loadPreset(presetName).config;
const samples = Number(samplesArg);
// a 512-wide image of `samples` pixels (samples is a multiple of 512): the study's coordinates
const width = 512;
const height = samples / width;
const encoder = createEncoder(config.encoding, 0);
// SAPE as a run trains it (src/training/loop.ts): the masked features stored, and after each epoch
// the progression advanced and the inputs masked again — work the PyTorch peer's epoch does too
const sape = config.encoding.type === "sape" ? sapeInputs(encoder, pixelCoordinates(width, height, config.encoding.range), true) : null;
const inputs = sape ? sape.inputs : encodeImageGrid(encoder, width, height);
const rng = new Rng(1, "bench");
const targets = Float32Array.from({ length: samples * 3 }, () => rng.next());
const backend = await requireBackend(backendName);
const trainer = await backend.create({
  spec: networkSpec(config),
  adam: config.optimizer,
  weights: initialWeights(config),
  maxBatch: config.training.batchSize,
});
const shuffle = new Rng(0, "shuffle");
const stamps = [];
const cpuSeconds = [];
const epoch = async () => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await trainer.epoch(inputs, targets, epochOrder(samples, shuffle), config.training.batchSize, config.optimizer.lr);
  if (sape) await advanceSape(sape.sape, trainer, inputs, targets, config.training.epochs);
  const t1 = performance.now();
  // CPU seconds of every thread of the process (the wasm helpers are worker threads in it)
  const c = process.cpuUsage(c0);
  cpuSeconds.push((c.user + c.system) / 1e6);
  stamps.push([performance.timeOrigin + t0, performance.timeOrigin + t1]);
  return (t1 - t0) / 1000;
};
const warmup = await epoch(); // compiles kernels and plans; excluded
stamps.length = 0;
cpuSeconds.length = 0;
const seconds = [];
for (let r = 0; r < Number(repeatsArg) || Date.now() < deadline; r++) seconds.push(await epoch());
const status = readFileSync("/proc/self/status", "utf8");
const peakRssMB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
console.log(
  JSON.stringify({ backend: backendName, preset: presetName, samples, warmup, seconds, cpuSeconds, stamps, details: trainer.info.details, peakRssMB }),
);
await trainer.dispose();
await releaseWebGPU();
process.exit(0);
