// The benchmark's second peer: the same training in TensorFlow.js 4.22 on its WebAssembly backend
// (XNNPACK, SIMD), in a fresh process:
//   node bench/tfjs_peer.mjs PRESET SAMPLES REPEATS MODE
// Prints one JSON line: { preset, mode, samples, warmup, seconds: [...], threads, peakRssMB, tfjs }.
// Same network (dense layers from the preset's config), MSE, Adam, batch size, a fresh random
// permutation per epoch, float32, the inputs encoded by coordnet. MODE "manual": the forward and
// backward passes written out with tfjs ops (matMul of explicit transposes) and Adam's
// applyGradients — the fastest way we found; "minimize": the idiomatic loop, tf.layers + optimizer.minimize
// (gradients by tfjs's tape).
import { readFileSync } from "node:fs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { createEncoder, encodeImageGrid } from "../dist/encoding/index.js";
import { loadPreset } from "../dist/presets.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";

const [presetName, samplesArg, repeatsArg, mode = "manual"] = process.argv.slice(2);
const config = loadPreset(presetName).config;
const samples = Number(samplesArg);
await tf.setBackend("wasm");
await tf.ready();
if (tf.getBackend() !== "wasm") throw new Error(`tfjs runs on ${tf.getBackend()}, not wasm`);

// the same data as bench/worker.mjs: a 512-wide image's coordinates, random targets
const width = 512;
const inputs = encodeImageGrid(createEncoder(config.encoding, 0), width, samples / width);
const F = inputs.length / samples;
const rng = new Rng(1, "bench");
const targets = Float32Array.from({ length: samples * 3 }, () => rng.next());
const X = tf.tensor2d(inputs, [samples, F]);
const Y = tf.tensor2d(targets, [samples, 3]);

const { width: units, depth, activation, outputActivation } = config.network;
const supported = { relu: "relu", sigmoid: "sigmoid", identity: "linear" };
if (!(activation in supported) || !(outputActivation in supported)) throw new Error(`tfjs peer: no ${activation}/${outputActivation} here`);
const { lr, beta1, beta2, eps } = config.optimizer;
const optimizer = tf.train.adam(lr, beta1, beta2, eps);
const batch = config.training.batchSize;
const shuffle = new Rng(0, "shuffle");

/** One step on rows xb, yb; the network's outputs for rows x; the first weight (to wait on). */
let step;
let predict;
let lastWeight;
if (mode === "minimize") {
  const model = tfl.sequential();
  for (let l = 0; l < depth; l++) model.add(tfl.layers.dense({ units, activation: supported[activation], inputShape: l === 0 ? [F] : undefined }));
  model.add(tfl.layers.dense({ units: 3, activation: supported[outputActivation] }));
  step = (xb, yb) => optimizer.minimize(() => tf.losses.meanSquaredError(yb, model.apply(xb)));
  predict = (x) => model.apply(x);
  lastWeight = () => model.getWeights()[0];
} else if (mode === "manual") {
  // W_l [in][out] and b_l [out] as variables; z_l = a_l·W_l + b_l, a_{l+1} = act(z_l)
  const sizes = [F, ...Array(depth).fill(units), 3];
  const W = sizes.slice(1).map((out, l) => tf.variable(tf.randomNormal([sizes[l], out], 0, Math.sqrt(1 / sizes[l])), true, `W${l}`));
  const b = sizes.slice(1).map((out, l) => tf.variable(tf.zeros([out]), true, `b${l}`));
  const L = W.length;
  const act = (name, z) => (name === "relu" ? tf.relu(z) : name === "sigmoid" ? tf.sigmoid(z) : z);
  predict = (x) => W.reduce((a, w, l) => act(l === L - 1 ? outputActivation : activation, tf.add(tf.matMul(a, w), b[l])), x);
  step = (xb, yb) =>
    tf.tidy(() => {
      const a = [xb];
      const z = [];
      for (let l = 0; l < L; l++) {
        z.push(tf.add(tf.matMul(a[l], W[l]), b[l]));
        const act = l === L - 1 ? outputActivation : activation;
        a.push(act === "relu" ? tf.relu(z[l]) : act === "sigmoid" ? tf.sigmoid(z[l]) : z[l]);
      }
      const yhat = a[L];
      // dL/dŷ = 2(ŷ − y)/n, then back through each layer
      let dz = tf.mul(tf.sub(yhat, yb), 2 / yhat.size);
      const grads = {};
      for (let l = L - 1; l >= 0; l--) {
        const act = l === L - 1 ? outputActivation : activation;
        if (act === "sigmoid") dz = tf.mul(dz, tf.mul(a[l + 1], tf.sub(1, a[l + 1])));
        else if (act === "relu") dz = tf.mul(dz, tf.step(z[l]));
        // explicit transposes: matMul's transposeA/transposeB flags are ~7× slower on this backend
        grads[`W${l}`] = tf.matMul(tf.transpose(a[l]), dz);
        grads[`b${l}`] = tf.sum(dz, 0);
        if (l > 0) dz = tf.matMul(dz, tf.transpose(W[l]));
      }
      optimizer.applyGradients(grads);
    });
  lastWeight = () => W[0];
} else throw new Error(`tfjs peer: unknown mode ${mode} (manual, minimize)`);

const epoch = () => {
  const t0 = performance.now();
  const order = epochOrder(samples, shuffle);
  for (let start = 0; start < samples; start += batch) {
    const idx = tf.tensor1d(Int32Array.from(order.subarray(start, Math.min(samples, start + batch))), "int32");
    const xb = tf.gather(X, idx);
    const yb = tf.gather(Y, idx);
    step(xb, yb);
    tf.dispose([idx, xb, yb]);
  }
  // wait for the last step's results before stopping the clock
  lastWeight().dataSync();
  return (performance.now() - t0) / 1000;
};
// the loss on the first 4096 samples before and after (outside the timing; few, to leave the peak
// memory to training): the peer must really train
const probe = Math.min(4096, samples);
const loss = () => tf.tidy(() => tf.losses.meanSquaredError(tf.slice(Y, 0, probe), predict(tf.slice(X, 0, probe))).dataSync()[0]);
const lossBefore = loss();
const warmup = epoch();
const seconds = [];
for (let r = 0; r < Number(repeatsArg); r++) seconds.push(epoch());
const status = readFileSync("/proc/self/status", "utf8");
const peakRssMB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
const lossAfter = loss();
console.log(
  JSON.stringify({ preset: presetName, mode, samples, warmup, seconds, lossBefore, lossAfter, threads: getThreadsCount(), peakRssMB, tfjs: tf.version_core }),
);
