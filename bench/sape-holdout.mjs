// SAPE against positional and gaussian on held-out pixels, Tancik et al.'s every-other protocol:
// train on the pixels with even x and even y, test on all the others (¾ of the image). Uses the
// library's own training loop (dist/: run `npm run build` first); the session is the library's,
// with its inputs and targets narrowed to the training pixels, so SAPE's progression reads only
// training errors. (Written before `coordnet train --holdout every-other` existed.)
//
//   node bench/sape-holdout.mjs [side=256] [epochs=200] [backend=wasm] [presets=positional,gaussian,sape] [seed=0]
//
// Prints one JSON line per preset: train and test PSNR (dB), seconds, and for SAPE how far its
// cells progressed.

import { cpus, loadavg } from "node:os";
import { EncodedOnDemand } from "../dist/encoding/inputs.js";
import { pixelCoordinates } from "../dist/encoding/normalize.js";
import { sapeParts } from "../dist/encoding/sape.js";
import { resample } from "../dist/image/resample.js";
import { readPng } from "../dist/node.js";
import { loadPreset } from "../dist/presets.js";
import { startSession, trainOneEpoch } from "../dist/training/loop.js";
import { sapeInputs } from "../dist/training/sape.js";

const side = Number(process.argv[2] ?? 256);
const epochs = Number(process.argv[3] ?? 200);
const backend = process.argv[4] ?? "wasm";
const presets = (process.argv[5] ?? "positional,gaussian,sape").split(",");
const seed = Number(process.argv[6] ?? 0);

const image = resample(readPng(), side, side);
const N = side * side;
// the split: training pixels have even x and even y
const isTrain = new Uint8Array(N);
for (let y = 0; y < side; y += 2) for (let x = 0; x < side; x += 2) isTrain[y * side + x] = 1;
const trainIdx = [];
for (let s = 0; s < N; s++) if (isTrain[s]) trainIdx.push(s);

console.log(
  JSON.stringify({
    side,
    epochs,
    backend,
    seed,
    train: trainIdx.length,
    test: N - trainIdx.length,
    loadavg: loadavg(),
    cpus: cpus().length,
    node: process.version,
  }),
);

for (const name of presets) {
  const config = { ...loadPreset(name).config, training: { ...loadPreset(name).config.training, epochs, seed } };
  const full = await startSession({ config, image, backend, storedInputsMaxBytes: 1 });
  const encoder = full.encoder;
  const all = pixelCoordinates(side, side, config.encoding.range);
  // the training pixels' coordinates [n][2] and colours [n][3]
  const coords = new Float32Array(trainIdx.length * 2);
  const targets = new Float32Array(trainIdx.length * 3);
  trainIdx.forEach((s, k) => {
    coords.set(all.subarray(2 * s, 2 * s + 2), 2 * k);
    targets.set(image.data.subarray(3 * s, 3 * s + 3), 3 * k);
  });
  let inputs;
  let sape = null;
  if (config.encoding.type === "sape") ({ inputs, sape } = sapeInputs(encoder, coords, true));
  else {
    inputs = new Float32Array(trainIdx.length * encoder.features);
    encoder.encode(coords, inputs, trainIdx.length);
  }
  const session = { ...full, inputs, targets, samples: trainIdx.length, batch: Math.min(config.training.batchSize, trainIdx.length), sape };
  const started = performance.now();
  while (session.state.epoch < epochs) await trainOneEpoch(session);
  const seconds = (performance.now() - started) / 1000;
  // every pixel's prediction with the final mask, then the error on each side of the split
  const pred = await session.trainer.predict(new EncodedOnDemand(all, encoder), N);
  const sums = [0, 0];
  const counts = [0, 0];
  for (let s = 0; s < N; s++) {
    let e = 0;
    for (let c = 0; c < 3; c++) e += (Math.min(1, Math.max(0, pred[3 * s + c])) - image.data[3 * s + c]) ** 2;
    sums[isTrain[s]] += e;
    counts[isTrain[s]] += 3;
  }
  const psnr = (k) => 10 * Math.log10(counts[k] / sums[k]);
  const out = {
    preset: name,
    seed,
    trainPsnr: +psnr(1).toFixed(2),
    testPsnr: +psnr(0).toFixed(2),
    seconds: +seconds.toFixed(1),
    lastLoss: session.state.history.at(-1)?.loss,
  };
  if (sape !== null) {
    const { progress, going } = sapeParts(encoder.matrix, config.encoding);
    const P = Array.from(progress).sort((a, b) => a - b);
    out.progress = { min: P[0], median: P[P.length >> 1], max: P.at(-1), stoppedCells: going.filter((g) => g === 0).length, cells: going.length };
  }
  out.loadavg = loadavg().map((l) => +l.toFixed(2));
  console.log(JSON.stringify(out));
  await session.trainer.dispose();
}
