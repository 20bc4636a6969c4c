// The playground's training thread: a Web Worker, so the page stays responsive. It runs the
// library's own session loop (the one `fit` and `coordnet train` use) one epoch at a time, so that
// it can pause mid-epoch, resume, step one epoch, and send a reconstruction every few epochs.
import {
  applyOverrides,
  type ConfigOverrides,
  loadPreset,
  Model,
  type RGBImage,
  renderImage,
  resample,
  startSession,
  type TrainingSession,
  toRGBA,
  toRGBImage,
  trainOneEpoch,
} from "coordnet";
import { type BackendStatus, backendNames, compareBackends, probeBackend } from "coordnet/backends";
import { measure, mseOver, psnrOf } from "./playground/measure.js";
import { unitPlanes } from "./playground/units.js";
import type { FromWorker, ToWorker } from "./protocol.js";

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let session: TrainingSession | null = null;
let paused = false;
let stopped = false;
/** epochs still to run before pausing again (a single step), or Infinity */
let budget = Number.POSITIVE_INFINITY;
let wake: (() => void) | null = null;
/** the last finished run's network, for the zoom */
let lastModel: Model | null = null;
let trainedSize: { width: number; height: number } | undefined;

/** A probe that gives no answer (a browser's requestAdapter() can stay pending) counts as unavailable after this long. */
const PROBE_MS = 15_000;

/** Every registered backend, whether it runs in this browser and why not (each probe with a time limit). */
async function backendsHere(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  const names = backendNames();
  for (const [index, name] of names.entries()) {
    post({ type: "probing", name, index, total: names.length });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`its probe gave no answer in ${PROBE_MS / 1000} s`)), PROBE_MS);
    });
    try {
      const { backend, probe } = await Promise.race([probeBackend(name), late]);
      out.push({
        name,
        description: backend.description,
        priority: backend.priority,
        available: probe.available,
        reason: probe.available ? probe.autoSkip : probe.reason,
        device: probe.available ? probe.device : undefined,
        auto: false,
      } as BackendStatus);
    } catch (e) {
      out.push({ name, description: "", priority: 0, available: false, reason: oneLine(e), auto: false } as BackendStatus);
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

async function reconstruction(s: TrainingSession, width: number, height: number) {
  const rgb = await renderImage(s.trainer, s.inputs, width, height);
  return { image: toRGBA(rgb), rgb };
}

async function train(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  const base = message.preset !== undefined ? loadPreset(message.preset).config : {};
  const config = applyOverrides(base, message.overrides as ConfigOverrides);
  // the command line's limit: 16 megapixels
  let target = toRGBImage(message.image, 16_000_000, "the image");
  if (message.size !== undefined) target = resample(target, message.size.width, message.size.height);
  // read by the wasm backend in place of the COORDNET_THREADS environment variable
  if (message.threads !== undefined) (globalThis as Record<string, unknown>).COORDNET_THREADS = String(message.threads);
  trainedSize = { width: target.width, height: target.height };
  const s = await startSession({ config, image: target, backend: message.backend });
  session = s;
  const { epochs } = config.training;
  post({ type: "started", backend: s.trainer.info.backend, details: s.trainer.info.details ?? {}, width: target.width, height: target.height, epochs, config });
  // the lab's measures (train/test PSNR, the spectrum) of a prediction, with the target the first time
  const postMeasure = (rgb: RGBImage, epoch: number) => {
    const m = measure(s, rgb, target, epoch);
    const first = epoch === 0 && m.prediction !== null ? Float32Array.from(target.data) : undefined;
    post({ type: "measured", ...m, target: first }, [...(m.prediction === null ? [] : [m.prediction.buffer]), ...(first === undefined ? [] : [first.buffer])]);
    return m;
  };
  postMeasure((await reconstruction(s, target.width, target.height)).rgb, s.state.epoch);
  const every = Math.max(1, Math.round(epochs / 25));
  // the weights for the page's unit pictures: now, then with each reconstruction
  const sendWeights = async (epoch: number) => {
    // copies of their own (a backend's arrays can be views of a much larger memory, which posting
    // one would copy whole), transferred
    const weights = (await s.trainer.getWeights()).map((w) => ({ weight: Float32Array.from(w.weight), bias: Float32Array.from(w.bias) }));
    const matrix = s.encoder.matrix === null ? null : Float32Array.from(s.encoder.matrix);
    // the unit pictures' numbers here, where they do not hold up the page
    const units = unitPlanes(config, weights, matrix);
    const buffers = [...weights.flatMap((w) => [w.weight.buffer, w.bias.buffer]), ...units.columns.map((c) => c.planes.buffer)];
    post({ type: "weights", epoch, weights, matrix, units }, [...buffers, ...(matrix === null ? [] : [matrix.buffer])]);
  };
  await sendWeights(s.state.epoch);
  // samples per second over the epochs after the first (the first pays for kernel compiles and
  // warm-up); over the first alone when it is the only one
  let samplesTrained = 0;
  let seconds = 0;
  let firstSamples = 0;
  let firstSeconds = 0;
  const rate = () => (seconds > 0 ? samplesTrained / seconds : firstSamples / firstSeconds);
  let psnr = Number.NaN;
  try {
    while (s.state.epoch < epochs && !stopped) {
      if (paused || budget <= 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const started = performance.now();
      const { completed, samplesTrained: n } = await trainOneEpoch(s, () => paused || stopped);
      const took = (performance.now() - started) / 1000;
      if (s.state.epoch <= 1 && (completed === null ? s.state.epoch === 0 : completed.epoch === 1)) {
        firstSamples += n;
        firstSeconds += took;
      } else {
        samplesTrained += n;
        seconds += took;
      }
      if (completed === null) continue;
      budget -= 1;
      const last = completed.epoch === epochs;
      let image: ImageData | undefined;
      if (last || completed.epoch % every === 0 || budget === 0) {
        const r = await reconstruction(s, target.width, target.height);
        psnr = postMeasure(r.rgb, completed.epoch).trainPsnr;
        image = new ImageData(r.image.data as Uint8ClampedArray<ArrayBuffer>, r.image.width, r.image.height);
        await sendWeights(completed.epoch);
      }
      post({ type: "epoch", epoch: completed.epoch, epochs, loss: completed.loss, lr: completed.lr, psnr, samplesPerSecond: rate(), image });
      if (budget === 0) post({ type: "paused", epoch: completed.epoch });
    }
    const final = await reconstruction(s, target.width, target.height);
    // over the pixels trained on, and over the held-out ones when the run holds some out (as fit's model records them)
    const mse = mseOver(final.rgb.data, target.data, s.split?.train ?? null);
    const testMse = s.split === null ? null : mseOver(final.rgb.data, target.data, s.split.test);
    const model = new Model(config, await s.trainer.getWeights(), s.encoder.matrix as Float32Array | null, {
      backend: s.trainer.info,
      history: s.state.history,
      seconds: s.state.seconds,
      mse,
      psnr: psnrOf(mse),
      ...(testMse === null ? {} : { testMse, testPsnr: psnrOf(testMse) }),
    });
    lastModel = model;
    const safetensors = model.toSafetensors();
    post(
      {
        type: "done",
        backend: s.trainer.info.backend,
        epochs: s.state.epoch,
        losses: s.state.history.map((h) => h.loss),
        psnr: psnrOf(mse),
        testPsnr: testMse === null ? null : psnrOf(testMse),
        samplesPerSecond: rate(),
        safetensors,
        image: new ImageData(final.image.data as Uint8ClampedArray<ArrayBuffer>, final.image.width, final.image.height),
      },
      [safetensors.buffer as ArrayBuffer],
    );
  } finally {
    session = null;
    await s.trainer.dispose();
  }
}

self.addEventListener("message", (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  const resume = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  switch (message.type) {
    case "list":
      backendsHere().then(
        (backends) => post({ type: "backends", backends, isolated: globalThis.crossOriginIsolated === true }),
        (e) => post({ type: "error", message: oneLine(e) }),
      );
      break;
    case "start":
      if (session !== null) return post({ type: "error", message: "training is already running" });
      paused = false;
      stopped = false;
      budget = message.paused ? 0 : Number.POSITIVE_INFINITY;
      train(message).catch((e) => post({ type: "error", message: oneLine(e) }));
      break;
    case "compare": {
      const started = performance.now();
      compareBackends(message.a, message.b, { spec: message.spec, batch: message.batch, steps: message.steps, seed: message.seed, lr: message.lr }).then(
        (c) =>
          post({
            type: "compared",
            comparison: {
              a: c.a.backend,
              b: c.b.backend,
              spec: c.spec,
              batch: c.batch,
              steps: c.steps,
              seed: c.seed,
              factor: c.factor,
              pass: c.pass,
              seconds: (performance.now() - started) / 1000,
              tensors: c.tensors.map(({ name, size, maxAbs, maxRel, worstRatio, pass }) => ({ name, size, maxAbs, maxRel, worstRatio, pass })),
            },
          }),
        (e) => post({ type: "error", message: oneLine(e) }),
      );
      break;
    }
    case "zoom": {
      const model = lastModel;
      const size = trainedSize;
      if (model === null || size === undefined) return post({ type: "error", message: "train a network first: the zoom renders the last one" });
      const { factor } = message;
      model.render(size.width * factor, size.height * factor, { backend: "auto" }).then(
        (r) => post({ type: "zoomed", factor, image: new ImageData(new Uint8ClampedArray(r.data), r.width, r.height) }),
        (e) => post({ type: "error", message: oneLine(e) }),
      );
      break;
    }
    case "pause":
      paused = true;
      break;
    case "resume":
      paused = false;
      budget = Number.POSITIVE_INFINITY;
      resume();
      break;
    case "step":
      paused = false;
      budget = 1;
      resume();
      break;
    case "stop":
      stopped = true;
      resume();
      break;
  }
});
post({ type: "ready" });
