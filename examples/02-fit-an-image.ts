/**
 * Fit an image in memory, then use the trained network as a continuous image: sample it between
 * pixels, render it larger than it was trained, save it and load it back.
 *
 *     npx tsx examples/02-fit-an-image.ts [OUT_DIR]      (default runs/example-02)
 *
 * The built-in photograph is shrunk to 64×64 so that this runs in seconds; writes
 * OUT_DIR/render-256.png and OUT_DIR/model.safetensors.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fit, Model } from "coordnet";
import { loadModel, readPng, saveModel, writePng } from "coordnet/node";

const outDir = process.argv[2] ?? "runs/example-02";
mkdirSync(outDir, { recursive: true });

/** An ImageData-shaped image: RGB or RGBA, 8-bit or float in [0, 1]. */
interface Picture {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

// Shrink by averaging each block of pixels (a box filter), keeping the channel count and the
// number type of the input.
function shrink(image: Picture, width: number, height: number): Picture {
  const channels = image.data.length / (image.width * image.height);
  const eightBit = !(image.data instanceof Float32Array || image.data instanceof Float64Array);
  const data = eightBit ? new Uint8ClampedArray(width * height * channels) : new Float32Array(width * height * channels);
  const bw = image.width / width;
  const bh = image.height / height;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let count = 0;
        for (let sy = Math.floor(y * bh); sy < Math.floor((y + 1) * bh); sy++)
          for (let sx = Math.floor(x * bw); sx < Math.floor((x + 1) * bw); sx++) {
            sum += image.data[(sy * image.width + sx) * channels + c];
            count++;
          }
        data[(y * width + x) * channels + c] = sum / count;
      }
  return { width, height, data };
}

// PSNR in dB between an image and an RGBA rendering of the same size, on the RGB channels in [0, 1].
function psnr(image: Picture, rgba: { data: Uint8ClampedArray }): number {
  const channels = image.data.length / (image.width * image.height);
  const scale = image.data instanceof Float32Array || image.data instanceof Float64Array ? 1 : 255;
  let sum = 0;
  for (let p = 0; p < image.width * image.height; p++)
    for (let c = 0; c < 3; c++) sum += (image.data[p * channels + c] / scale - rgba.data[p * 4 + c] / 255) ** 2;
  return 10 * Math.log10(1 / (sum / (image.width * image.height * 3)));
}

// The simplest possible model, for comparison: every pixel the image's mean colour.
function flat(image: Picture): { data: Uint8ClampedArray } {
  const channels = image.data.length / (image.width * image.height);
  const scale = image.data instanceof Float32Array || image.data instanceof Float64Array ? 255 : 1;
  const mean = [0, 1, 2].map((c) => {
    let s = 0;
    for (let p = 0; p < image.width * image.height; p++) s += image.data[p * channels + c];
    return (s / (image.width * image.height)) * scale;
  });
  const data = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) data.set([...mean, 255], p * 4);
  return { data };
}

const photo = await readPng(fileURLToPath(new URL("../assets/astronaut.png", import.meta.url)));
const image = shrink(photo, 64, 64);

// Train: positional encoding (the study's best preset), 50 epochs of 4 batches of 1024 pixels.
// Ctrl-C stops after the current batch.
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
const losses: number[] = [];
const model = await fit(image, {
  preset: "positional",
  epochs: 50,
  backend: "auto",
  seed: 0,
  signal: controller.signal,
  onEpoch: ({ epoch, loss, lr, seconds }) => {
    losses.push(loss);
    if (losses.length === 1 || losses.length % 10 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(5)}, lr ${lr}, ${seconds.toFixed(2)} s`);
  },
});

// The network is a function of continuous coordinates in [0, 1]²: pixel i of 64 sits at i/63, so
// the centre (0.5, 0.5) falls between pixels 31 and 32 in both directions, where no pixel was.
const centre = model.predict(0.5, 0.5);
console.log(`colour at the centre, between four pixels: [${Array.from(centre, (v) => v.toFixed(3)).join(", ")}]`);

// Render it at the training size to measure the fit, and four times larger.
console.log(
  `PSNR at 64×64: ${psnr(image, model.render(64, 64)).toFixed(2)} dB (the image's mean colour everywhere: ${psnr(image, flat(image)).toFixed(2)} dB)`,
);
const big = model.render(256, 256);
await writePng(join(outDir, "render-256.png"), big);
console.log(`wrote ${join(outDir, "render-256.png")} (${big.width}×${big.height})`);

// Save and load: in memory (safetensors bytes) and as a file.
const bytes = model.toSafetensors();
const again = Model.fromSafetensors(bytes);
await saveModel(join(outDir, "model.safetensors"), model);
const loaded = await loadModel(join(outDir, "model.safetensors"));
const same = (m: { predict(x: number, y: number): ArrayLike<number> }) => Array.from(m.predict(0.3, 0.7)).every((v, k) => v === model.predict(0.3, 0.7)[k]);
console.log(`safetensors: ${bytes.length} bytes; same prediction after fromSafetensors: ${same(again)}, after saveModel/loadModel: ${same(loaded)}`);
