// The playground page: the lesson, the train view (image → encoding → network → reconstruction),
// the zoom, the verify view and the scripted mode. Each section is a file under playground/;
// training runs in train-worker.ts. This file wires them and answers the worker.
import type { Config } from "coordnet";
import { listBackendsUi, probing } from "./playground/backends.js";
import { $, params, scripted, send, show, worker } from "./playground/dom.js";
import { imageError, useDefaultImage, wireImage } from "./playground/image.js";
import { addMeasure, resetLab } from "./playground/lab.js";
import { runLesson, wireLesson } from "./playground/lesson.js";
import { drawNetwork } from "./playground/neurons.js";
import { fillPresets, readUrl, watchControls, writeUrl } from "./playground/options.js";
import { finish, scriptedOptions, verifyMessage } from "./playground/scripted.js";
import { sweepRestored, wireSweep } from "./playground/sweep.js";
import { drawLoss, pngUrl, run, setDownload, setRunning, start, status, wireTrain } from "./playground/train.js";
import { showComparison, wireVerify } from "./playground/verify.js";
import { showZoom, wireZoom, zoomReady } from "./playground/zoom.js";
import type { FromWorker } from "./protocol.js";

let modelUrl: string | null = null;
/** the train view's resolved config, from the worker's "started" (the diagram needs it) */
let config: Config | null = null;

fillPresets();
wireImage();
wireTrain();
wireLesson();
wireVerify();
wireZoom();
wireSweep();
if (!scripted) {
  const ignored = readUrl();
  if (ignored.length > 0) status(`coordnet: ignored URL parameters that no control takes: ${ignored.join(", ")}`);
  watchControls();
  writeUrl();
}
sweepRestored();

/** The scripted mode names its backend: it skips probing the others (a WebGPU probe can take seconds). */
function runScripted(): void {
  try {
    if (params.has("verify")) send(verifyMessage());
    else if (params.get("lesson") === "1") {
      // ?lesson=1[&backend=&epochs=&size=&seed=&width=&depth=]&autorun=1: both networks →
      // { lesson, backend, epochs, seed, relu, positional }
      if (params.has("preset")) throw new Error("coordnet: the lesson trains the positional preset and its twin on raw coordinates; preset cannot be set");
      const o = scriptedOptions();
      const { epochs = 30, seed = 0, ...network } = o.overrides as { epochs?: number; seed?: number };
      runLesson({ epochs, seed, backend: o.backend, size: o.size ?? { width: 64, height: 64 }, network }).then(finish, (e) =>
        finish({ error: (e as Error).message }),
      );
    } else start(scriptedOptions()).catch((e) => finish({ error: (e as Error).message }));
  } catch (e) {
    finish({ error: (e as Error).message });
  }
}

worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case "ready":
      if (scripted) runScripted();
      else send({ type: "list" });
      break;
    case "probing":
      probing(m.name, m.index, m.total);
      break;
    case "backends":
      listBackendsUi(m.backends, writeUrl);
      if (!scripted) {
        readUrl(true);
        writeUrl();
      }
      if (!m.isolated) status("not cross-origin isolated: the wasm backend needs COOP/COEP headers (see README)");
      break;
    case "started":
      config = m.config;
      resetLab(m.epochs, m.width, m.height);
      $("device").textContent = `trains on ${m.backend}: ${Object.entries(m.details)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`;
      status(`training ${m.width}×${m.height} on ${m.backend}`);
      break;
    case "weights":
      if (config !== null) drawNetwork("train-net", config, m.weights, m.matrix, m.epoch, m.units);
      break;
    case "measured":
      addMeasure(m);
      break;
    case "epoch":
      run.losses.push(m.loss);
      drawLoss();
      $("stats").textContent =
        `epoch ${m.epoch}/${m.epochs} · loss ${m.loss.toExponential(3)} · PSNR ${m.psnr.toFixed(2)} dB · ${Math.round(m.samplesPerSecond).toLocaleString("en")} samples/s`;
      if (m.image !== undefined) show($("reconstruction"), m.image);
      break;
    case "paused":
      setRunning(true, true);
      status(`paused after epoch ${m.epoch}`);
      break;
    case "done": {
      setRunning(false);
      show($("reconstruction"), m.image);
      if (modelUrl !== null) URL.revokeObjectURL(modelUrl);
      modelUrl = URL.createObjectURL(new Blob([m.safetensors as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
      setDownload("download-model", modelUrl);
      pngUrl(m.image).then((url) => setDownload("download-png", url));
      zoomReady(m.image.width, m.image.height);
      // with pixels held out, train and test PSNR as the lab's live readout gives them
      status(
        m.testPsnr === null
          ? `done: ${m.epochs} epochs on ${m.backend}, PSNR ${m.psnr.toFixed(2)} dB`
          : `done: ${m.epochs} epochs on ${m.backend}, train PSNR ${m.psnr.toFixed(2)} dB · test PSNR ${m.testPsnr.toFixed(2)} dB (held-out pixels)`,
      );
      finish({ backend: m.backend, epochs: m.epochs, losses: m.losses, psnr: m.psnr, samplesPerSecond: m.samplesPerSecond });
      break;
    }
    case "zoomed":
      showZoom(m.image, m.factor);
      break;
    case "compared":
      showComparison(m.comparison);
      if (scripted) finish(m.comparison);
      break;
    case "error":
      setRunning(false);
      status(`error: ${m.message}`);
      if (scripted) finish({ error: m.message });
      break;
  }
});
worker.addEventListener("error", (e) => {
  status(`error: the training worker failed: ${e.message}`);
  if (scripted) finish({ error: `the training worker failed: ${e.message}` });
});

if (!scripted) {
  useDefaultImage().catch((e) => imageError((e as Error).message));
}
