/**
 * Fit an image in memory, then use the trained network as a continuous image: sample it between
 * pixels, render it larger than it was trained, save it and load it back.
 *
 *     npx tsx examples/02-fit-an-image.ts [OUT_DIR]      (default runs/example-02)
 *
 * The built-in photograph is shrunk to 64×64 (4,096 pixels an epoch instead of 262,144) to keep
 * it quick; writes OUT_DIR/render-256.png and OUT_DIR/model.safetensors.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fit, Model } from "coordnet";
import { loadModel, readPng, resample, saveModel, writePng } from "coordnet/node";

const outDir = process.argv[2] ?? "runs/example-02";
mkdirSync(outDir, { recursive: true });

// The built-in 512×512 photograph as RGB floats in [0, 1], area-averaged down to 64×64.
const image = resample(readPng(), 64, 64);

// Train: positional encoding (the study's best preset), 50 epochs of 4 batches of 1024 pixels.
// Ctrl-C stops after the current batch (fit then rejects).
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
const model = await fit(image, {
  preset: "positional",
  epochs: 50,
  backend: "auto",
  seed: 0,
  signal: controller.signal,
  onEpoch: ({ epoch, loss, lr, seconds }) => {
    if (epoch === 1 || epoch % 10 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(5)}, lr ${lr}, ${seconds.toFixed(2)} s`);
  },
});

// The simplest possible model, to compare with: the image's mean colour everywhere.
const pixels = image.width * image.height;
let flatError = 0;
for (let c = 0; c < 3; c++) {
  let mean = 0;
  for (let p = 0; p < pixels; p++) mean += image.data[p * 3 + c] / pixels;
  for (let p = 0; p < pixels; p++) flatError += (image.data[p * 3 + c] - mean) ** 2 / (pixels * 3);
}
const training = model.training;
console.log(`trained on ${training?.backend.backend} in ${training?.seconds.toFixed(1)} s`);
console.log(`PSNR at 64×64: ${training?.psnr.toFixed(2)} dB (the image's mean colour everywhere: ${(10 * Math.log10(1 / flatError)).toFixed(2)} dB)`);

// The network is a function of continuous coordinates in [0, 1]²: pixel i of 64 sits at i/63, so
// the centre (0.5, 0.5) falls between pixels 31 and 32 in both directions, where no pixel was.
const centre = model.predict(0.5, 0.5);
console.log(`colour at the centre, between four pixels: [${centre.map((v) => v.toFixed(3)).join(", ")}]`);

// Render it four times larger than it was trained.
const big = await model.render(256, 256);
writePng(join(outDir, "render-256.png"), big);
console.log(`wrote ${join(outDir, "render-256.png")} (${big.width}×${big.height})`);

// Save and load: in memory (safetensors bytes) and as a file.
const bytes = model.toSafetensors();
const again = Model.fromSafetensors(bytes);
saveModel(join(outDir, "model.safetensors"), model);
const loaded = loadModel(join(outDir, "model.safetensors"));
const same = (m: Model) => m.predict(0.3, 0.7).every((v, k) => v === model.predict(0.3, 0.7)[k]);
console.log(`safetensors: ${bytes.length} bytes; same prediction after fromSafetensors: ${same(again)}, after saveModel/loadModel: ${same(loaded)}`);
