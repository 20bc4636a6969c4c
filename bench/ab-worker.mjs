// One A/B measurement in a fresh process (see bench/ab.mjs):
//   node bench/ab-worker.mjs DIST PRESET SIDE EPOCHS stored|demand
// trains PRESET's network on the wasm backend of the build in DIST (a copy of dist/) on a SIDE×SIDE
// image of random colours, its inputs stored or encoded on demand; prints one JSON line with the
// seconds of each timed epoch (a warm-up epoch first, excluded).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, preset, sideArg, epochsArg, mode] = process.argv.slice(2);
const d = pathToFileURL(`${resolve(dist)}/`).href;
const { requireBackend } = await import(`${d}backends/index.js`);
const { createEncoder, imageInputs } = await import(`${d}encoding/index.js`);
const { initialWeights, networkSpec } = await import(`${d}network.js`);
const { loadPreset } = await import(`${d}presets.js`);
const { Rng } = await import(`${d}reference/rng.js`);
const { epochOrder } = await import(`${d}reference/shuffle.js`);
const config = loadPreset(preset).config;
const side = Number(sideArg);
const samples = side * side;
const inputs = imageInputs(createEncoder(config.encoding, 0), side, side, mode === "demand" ? 0 : 2 ** 40);
const rng = new Rng(1, "bench");
const targets = Float32Array.from({ length: samples * 3 }, () => rng.next());
const backend = await requireBackend("wasm");
const trainer = await backend.create({
  spec: networkSpec(config),
  adam: config.optimizer,
  weights: initialWeights(config),
  maxBatch: config.training.batchSize,
});
const shuffle = new Rng(0, "shuffle");
const epoch = async () => {
  const t0 = performance.now();
  await trainer.epoch(inputs, targets, epochOrder(samples, shuffle), config.training.batchSize, config.optimizer.lr);
  return (performance.now() - t0) / 1000;
};
await epoch();
const seconds = [];
for (let r = 0; r < Number(epochsArg); r++) seconds.push(await epoch());
console.log(JSON.stringify({ dist, preset, mode, seconds, details: trainer.info.details }));
await trainer.dispose();
process.exit(0);
