// The playground page: the train view and the scripted mode. Training runs in train-worker.ts.
import { loadPreset, presetNames } from "../dist/presets.js";
import { ACTIVATION_NAMES, type ActivationName } from "../dist/reference/activations/index.js";
import type { MLPSpec } from "../dist/reference/mlp.js";
import type { CompareSummary, FromWorker, ToWorker } from "./protocol.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const scripted = params.get("autorun") === "1";

const worker = new Worker(new URL("./train-worker.ts", import.meta.url), { type: "module" });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

/** The image to train on, as RGBA bytes. */
let source: ImageData | null = null;
let sourceName = "the built-in photograph";
let running = false;
let losses: number[] = [];
let lastImage: ImageData | null = null;
let modelUrl: string | null = null;

// ---- the image --------------------------------------------------------------------------------

const MAX_PIXELS = 16_000_000;

/** Decode a PNG/JPEG/… blob to RGBA; one readable line when it is not an image. */
async function decode(blob: Blob, name: string): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(`coordnet: cannot read ${name}: not an image this browser can decode (PNG, JPEG, WebP, GIF)`);
  }
  if (bitmap.width * bitmap.height > MAX_PIXELS)
    throw new Error(`coordnet: ${name} is ${bitmap.width}×${bitmap.height}, more than ${MAX_PIXELS / 1e6} megapixels`);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

function show(canvas: HTMLCanvasElement, image: ImageData): void {
  canvas.width = image.width;
  canvas.height = image.height;
  (canvas.getContext("2d") as CanvasRenderingContext2D).putImageData(image, 0, 0);
}

function imageError(message: string | null): void {
  const p = $("image-error");
  p.hidden = message === null;
  p.textContent = message ?? "";
}

/** Counts image requests: only the latest one's result is used (a slow built-in photograph must not replace a file chosen meanwhile). */
let imageRequest = 0;

async function applyImage(blob: Blob, name: string, id: number): Promise<void> {
  try {
    const decoded = await decode(blob, name);
    if (id !== imageRequest) return;
    source = decoded;
    sourceName = name;
    show($("source"), decoded);
    imageError(null);
  } catch (e) {
    if (id === imageRequest) imageError((e as Error).message);
    throw e;
  }
}

function useImage(blob: Blob, name: string): Promise<void> {
  return applyImage(blob, name, ++imageRequest);
}

const defaultImageUrl = new URL("../assets/astronaut.png", import.meta.url).href;

async function useDefaultImage(): Promise<void> {
  const id = ++imageRequest;
  const response = await fetch(defaultImageUrl);
  if (!response.ok) throw new Error(`coordnet: the built-in photograph did not load (${response.status})`);
  await applyImage(await response.blob(), "the built-in photograph", id);
}

$<HTMLInputElement>("file").addEventListener("change", (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file !== undefined) useImage(file, file.name).catch(() => {});
});
$("use-default").addEventListener("click", () => {
  useDefaultImage().catch((e) => imageError((e as Error).message));
});
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer?.files[0];
  if (file !== undefined) useImage(file, file.name).catch(() => {});
});

// ---- options ----------------------------------------------------------------------------------

const presetSelect = $<HTMLSelectElement>("preset");
for (const name of presetNames()) presetSelect.add(new Option(`${name} — ${loadPreset(name).title}`, name));
const field = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id);

function applyPreset(name: string): void {
  if (name === "") return;
  const { config } = loadPreset(name);
  const enc = config.encoding as { type: string; range: string; frequencies?: number; sigma?: number };
  field("activation").value = config.network.activation;
  field("range").value = enc.range;
  field("encoding").value = enc.type;
  if (enc.frequencies !== undefined) field("frequencies").value = String(enc.frequencies);
  if (enc.sigma !== undefined) field("sigma").value = String(enc.sigma);
  field("width").value = String(config.network.width);
  field("depth").value = String(config.network.depth);
  field("lr").value = String(config.optimizer.lr);
  field("batch").value = String(config.training.batchSize);
}
presetSelect.addEventListener("change", () => applyPreset(presetSelect.value));
for (const id of ["activation", "range", "encoding", "frequencies", "sigma", "width", "depth", "lr"])
  field(id).addEventListener("change", () => {
    presetSelect.value = "";
  });

function overrides(): Record<string, unknown> {
  const num = (id: string) => Number(field(id).value);
  const encoding = field("encoding").value;
  return {
    activation: field("activation").value,
    range: field("range").value,
    encoding,
    ...(encoding === "positional" ? { frequencies: num("frequencies") } : {}),
    ...(encoding === "gaussian" ? { sigma: num("sigma") } : {}),
    width: num("width"),
    depth: num("depth"),
    lr: num("lr"),
    batchSize: num("batch"),
    epochs: num("epochs"),
    seed: num("seed"),
  };
}

// ---- backends ---------------------------------------------------------------------------------

let chosenBackend = "reference";

function listBackendsUi(backends: { name: string; available: boolean; reason?: string; device?: string; description: string }[]): void {
  const ul = $("backends");
  ul.replaceChildren();
  // preselect what `auto` would choose: the first that runs here and is not passed over (a
  // software renderer's webgl2 or webgpu runs, at a small fraction of wasm's speed)
  const firstAvailable = (backends.find((b) => b.available && !b.reason) ?? backends.find((b) => b.available))?.name ?? "reference";
  chosenBackend = firstAvailable;
  for (const id of ["verify-a", "verify-b"]) {
    const select = $<HTMLSelectElement>(id);
    select.replaceChildren(...backends.filter((b) => b.available).map((b) => new Option(b.name, b.name)));
  }
  $<HTMLSelectElement>("verify-a").value = "reference";
  const other = backends.find((b) => b.available && b.name !== "reference");
  if (other !== undefined) $<HTMLSelectElement>("verify-b").value = other.name;
  for (const b of backends) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "backend";
    input.value = b.name;
    input.disabled = !b.available;
    input.checked = b.name === firstAvailable;
    input.addEventListener("change", () => {
      chosenBackend = b.name;
    });
    label.append(input, ` ${b.name}`);
    const why = document.createElement("span");
    why.className = "why";
    why.textContent = b.available ? `${b.device ?? "runs here"}${b.reason ? ` (${b.reason})` : ""}` : `unavailable: ${b.reason ?? "no reason given"}`;
    li.append(label, why);
    ul.append(li);
  }
}

// ---- the loss charts -------------------------------------------------------------------------

interface Series {
  label: string;
  color: string;
  values: number[];
}

/** Loss per epoch on a log scale, one line per series (the train view has one, the lesson two). */
function drawChart(canvas: HTMLCanvasElement, series: Series[]): void {
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#555";
  ctx.font = "12px system-ui";
  ctx.fillText("loss per epoch (log scale)", 8, 14);
  const values = series.flatMap((s) => s.values).filter((l) => l > 0 && Number.isFinite(l));
  if (values.length < 1) return;
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const span = hi - lo || 1;
  const n = Math.max(2, ...series.map((s) => s.values.length));
  ctx.lineWidth = 2;
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    s.values.forEach((l, i) => {
      const x = 30 + ((W - 40) * i) / (n - 1);
      const y = 24 + (H - 34) * (1 - (Math.log10(l) - lo) / span);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    if (series.length > 1) {
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, W - 200, 14 + 14 * k);
    }
  });
  ctx.fillStyle = "#555";
  ctx.fillText(Math.max(...values).toExponential(2), 2, 34);
  ctx.fillText(Math.min(...values).toExponential(2), 2, H - 4);
}

function drawLoss(): void {
  drawChart($<HTMLCanvasElement>("loss"), [{ label: "loss", color: "#06c", values: losses }]);
}

// ---- training ---------------------------------------------------------------------------------

function setRunning(on: boolean, paused = false): void {
  running = on;
  $<HTMLButtonElement>("train").disabled = on;
  $<HTMLButtonElement>("pause").disabled = !on || paused;
  $<HTMLButtonElement>("resume").disabled = !on || !paused;
  $<HTMLButtonElement>("stop").disabled = !on;
}

function status(text: string): void {
  $("status").textContent = text;
}

function sizeChoice(): { width: number; height: number } | undefined {
  const side = Number(field("size").value);
  return side > 0 ? { width: side, height: side } : undefined;
}

async function start(options: {
  preset?: string;
  overrides: Record<string, unknown>;
  backend: string;
  size?: { width: number; height: number };
  paused?: boolean;
}): Promise<void> {
  if (source === null) await useDefaultImage();
  if (source === null) throw new Error("coordnet: the chosen image is still loading; try again in a moment");
  const image: ImageData = source;
  losses = [];
  drawLoss();
  const data = new Uint8ClampedArray(image.data);
  send({ type: "start", image: { width: image.width, height: image.height, data }, ...options }, [data.buffer]);
  setRunning(true, options.paused === true);
  status(`starting on ${options.backend} with ${sourceName}…`);
}

function startFromForm(paused: boolean): void {
  const preset = presetSelect.value === "" ? undefined : presetSelect.value;
  start({ preset, overrides: overrides(), backend: chosenBackend, size: sizeChoice(), paused }).catch((e) => status((e as Error).message));
}

$("train").addEventListener("click", () => startFromForm(false));
$("pause").addEventListener("click", () => {
  send({ type: "pause" });
  setRunning(true, true);
});
$("resume").addEventListener("click", () => {
  send({ type: "resume" });
  setRunning(true, false);
});
$("step").addEventListener("click", () => {
  if (!running) startFromForm(true);
  send({ type: "step" });
  setRunning(true, true);
});
$("stop").addEventListener("click", () => send({ type: "stop" }));

/** A download link (made once, its target replaced after each run). */
function setDownload(id: string, url: string): void {
  let a = document.getElementById(id) as HTMLAnchorElement | null;
  if (a === null) {
    a = document.createElement("a");
    a.id = id;
    a.download = id === "download-model" ? "model.safetensors" : "reconstruction.png";
    a.textContent = `download ${a.download}`;
    $("downloads").append(a);
  }
  a.href = url;
}

async function pngUrl(image: ImageData): Promise<string> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  (canvas.getContext("2d") as OffscreenCanvasRenderingContext2D).putImageData(image, 0, 0);
  return URL.createObjectURL(await canvas.convertToBlob({ type: "image/png" }));
}

// ---- the verify view -------------------------------------------------------------------------

function showComparison(c: CompareSummary): void {
  $("verify-status").textContent =
    `${c.b} against ${c.a}: ${c.pass ? "PASS" : "FAIL"} (${c.spec.inputs} → ${c.spec.depth}×${c.spec.width} ${c.spec.activation} → ${c.spec.outputs} ${c.spec.outputActivation}, batch ${c.batch}, ${c.steps} steps, seed ${c.seed}, tolerance ×${c.factor}, ${c.seconds.toFixed(1)} s)`;
  const table = $<HTMLTableElement>("verify-table");
  const row = (cells: string[], tag: "td" | "th", cls?: string) => {
    const tr = document.createElement("tr");
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      tr.append(cell);
    }
    if (cls !== undefined) (tr.lastElementChild as HTMLElement).className = cls;
    return tr;
  };
  table.replaceChildren(row(["tensor", "entries", "max |b − a|", "max rel", "worst / bound", ""], "th"));
  for (const t of c.tensors)
    table.append(
      row(
        [t.name, String(t.size), t.maxAbs.toExponential(2), t.maxRel.toExponential(2), t.worstRatio.toFixed(3), t.pass ? "pass" : "FAIL"],
        "td",
        t.pass ? "pass" : "fail",
      ),
    );
}

$("verify-run").addEventListener("click", () => {
  const a = $<HTMLSelectElement>("verify-a").value;
  const b = $<HTMLSelectElement>("verify-b").value;
  $("verify-status").textContent = `comparing ${b} against ${a}…`;
  send({ type: "compare", a, b, batch: Number(field("verify-batch").value), steps: Number(field("verify-steps").value) });
});

// ---- the study's lesson: ReLU against positional encoding, side by side ---------------------

/** What the lesson returns in the scripted mode (`?lesson=1&autorun=1`): each network's run. */
interface LessonResult {
  lesson: true;
  backend: string;
  epochs: number;
  seed: number;
  relu: { backend: string; losses: number[]; psnr: number; samplesPerSecond: number };
  positional: { backend: string; losses: number[]; psnr: number; samplesPerSecond: number };
}

const LESSON = [
  // the positional preset, and the same preset without its encoding: the only difference
  { key: "relu", color: "#c60", label: "ReLU, raw (x, y)", overrides: { encoding: "none" } },
  { key: "positional", color: "#06c", label: "ReLU, positional", overrides: {} },
] as const;
let lessonWorkers: Worker[] = [];
/** counts lesson runs: a run that is no longer the latest neither cleans up nor reports */
let lessonRun = 0;
/** rejects the running lesson's promise (Stop, or a new run) */
let cancelLesson: ((reason: Error) => void) | null = null;

function stopLesson(): void {
  for (const w of lessonWorkers) w.terminate();
  lessonWorkers = [];
  cancelLesson?.(new Error("coordnet: the lesson was stopped"));
  cancelLesson = null;
  $<HTMLButtonElement>("lesson-run").disabled = false;
  $<HTMLButtonElement>("lesson-stop").disabled = true;
}

/** Train the two networks at once, each in its own worker, and resolve with both runs. */
async function runLesson(options: {
  epochs: number;
  seed: number;
  backend: string;
  size?: { width: number; height: number };
  network?: Record<string, unknown>;
}): Promise<LessonResult> {
  stopLesson();
  const id = ++lessonRun;
  $<HTMLButtonElement>("lesson-run").disabled = true;
  $<HTMLButtonElement>("lesson-stop").disabled = false;
  const cancelled = new Promise<never>((_, reject) => {
    cancelLesson = reject;
  });
  cancelled.catch(() => {});
  try {
    if (source === null) await Promise.race([useDefaultImage(), cancelled]);
    if (source === null) throw new Error("coordnet: the chosen image is still loading; try again in a moment");
    const image: ImageData = source;
    $("lesson-status").textContent = `training both on ${options.backend}…`;
    const series: Series[] = LESSON.map((l) => ({ label: l.label, color: l.color, values: [] }));
    const chart = $<HTMLCanvasElement>("lesson-loss");
    drawChart(chart, series);
    const runs = LESSON.map(
      (l, k) =>
        new Promise<LessonResult["relu"]>((resolve, reject) => {
          const w = new Worker(new URL("./train-worker.ts", import.meta.url), { type: "module" });
          lessonWorkers.push(w);
          const stats = $(`lesson-${l.key}-stats`);
          stats.textContent = "starting…";
          w.addEventListener("error", (e) => reject(new Error(`the training worker failed: ${e.message}`)));
          w.addEventListener("message", (event: MessageEvent<FromWorker>) => {
            const m = event.data;
            if (m.type === "ready") {
              const data = new Uint8ClampedArray(image.data);
              const start: ToWorker = {
                type: "start",
                image: { width: image.width, height: image.height, data },
                preset: "positional",
                overrides: { ...options.network, ...l.overrides, epochs: options.epochs, seed: options.seed },
                backend: options.backend,
                size: options.size,
                // two trainers at once: half the cores each, so the page keeps a core to answer on
                threads: Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2)),
              };
              w.postMessage(start, [data.buffer]);
            } else if (m.type === "epoch") {
              series[k].values.push(m.loss);
              drawChart(chart, series);
              stats.textContent = `epoch ${m.epoch}/${m.epochs}, loss ${m.loss.toExponential(2)}, PSNR ${m.psnr.toFixed(2)} dB`;
              if (m.image !== undefined) show($<HTMLCanvasElement>(`lesson-${l.key}`), m.image);
            } else if (m.type === "done") {
              show($<HTMLCanvasElement>(`lesson-${l.key}`), m.image);
              stats.textContent = `${m.epochs} epochs on ${m.backend}, PSNR ${m.psnr.toFixed(2)} dB`;
              resolve({ backend: m.backend, losses: m.losses, psnr: m.psnr, samplesPerSecond: m.samplesPerSecond });
            } else if (m.type === "error") reject(new Error(m.message));
          });
        }),
    );
    const [relu, positional] = await Promise.race([Promise.all(runs), cancelled]);
    // both asked for the same backend; `auto` resolves the same way in both workers
    if (relu.backend !== positional.backend) throw new Error(`coordnet: the two networks ran on different backends (${relu.backend}, ${positional.backend})`);
    const gain = positional.psnr - relu.psnr;
    $("lesson-status").textContent =
      `done on ${relu.backend}: positional encoding ${gain >= 0 ? `+${gain.toFixed(2)}` : gain.toFixed(2)} dB over raw coordinates after ${options.epochs} epochs`;
    return { lesson: true, backend: relu.backend, epochs: options.epochs, seed: options.seed, relu, positional };
  } catch (e) {
    if (id === lessonRun) $("lesson-status").textContent = `error: ${(e as Error).message}`;
    throw e;
  } finally {
    if (id === lessonRun) {
      cancelLesson = null;
      stopLesson();
    }
  }
}

$("lesson-run").addEventListener("click", () => {
  runLesson({
    epochs: Number(field("lesson-epochs").value),
    seed: Number(field("seed").value),
    backend: chosenBackend,
    size: sizeChoice() ?? { width: 64, height: 64 },
  }).catch(() => {});
});
$("lesson-stop").addEventListener("click", () => stopLesson());

// ---- the scripted mode ------------------------------------------------------------------------

type Result = { backend: string; epochs: number; losses: number[]; psnr: number; samplesPerSecond: number } | CompareSummary | LessonResult | { error: string };

function finish(result: Result): void {
  (window as unknown as { coordnetResult: Result }).coordnetResult = result;
  const pre = $("coordnet-result");
  pre.textContent = JSON.stringify(result);
  // shown in the scripted mode; the train view has its own display
  pre.hidden = !scripted;
}

function scriptedOptions(): Parameters<typeof start>[0] {
  const image = params.get("image") ?? "default";
  if (image !== "default") throw new Error(`coordnet: image must be "default" in the scripted mode, got "${image}"`);
  const overrides: Record<string, unknown> = {};
  const int = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (!Number.isSafeInteger(v) || v < (name === "seed" ? 0 : 1))
      throw new Error(`coordnet: ${name} must be an integer ≥ ${name === "seed" ? 0 : 1}, got "${raw}"`);
    return v;
  };
  const epochs = int("epochs");
  if (epochs !== undefined) overrides.epochs = epochs;
  const seed = int("seed");
  if (seed !== undefined) overrides.seed = seed;
  // the network's size too, for quick checks (kernel compiles grow with the layers)
  const width = int("width");
  if (width !== undefined) overrides.width = width;
  const depth = int("depth");
  if (depth !== undefined) overrides.depth = depth;
  let size: { width: number; height: number } | undefined;
  const rawSize = params.get("size");
  if (rawSize !== null) {
    const m = /^(\d+)x(\d+)$/.exec(rawSize);
    if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`coordnet: size must be WxH, e.g. 32x32, got "${rawSize}"`);
    size = { width: Number(m[1]), height: Number(m[2]) };
  }
  const preset = params.get("preset") ?? "relu-sigmoid";
  return { preset, overrides, backend: params.get("backend") ?? "auto", size };
}

/** The network of the verify view's scripted mode: the study's unless a parameter changes it. */
const VERIFY_SPEC: MLPSpec = { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" };

/**
 * ?verify=a,b[&batch=&steps=&seed=&lr=][&inputs=&outputs=&width=&depth=&activation=&output=]&autorun=1:
 * compareBackends(a, b) on that network (the study's by default) → the comparison. Every parameter
 * is checked here, so a bad one gives one `coordnet:` line.
 */
function verifyMessage(): ToWorker {
  const [a, b, ...rest] = (params.get("verify") ?? "").split(",");
  if (a === undefined || b === undefined || a === "" || b === "" || rest.length > 0)
    throw new Error(`coordnet: verify must be two backends, e.g. "reference,gpujs-webgl2", got "${params.get("verify")}"`);
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (!/^\d+$/.test(raw) || v < min || v > max) throw new Error(`coordnet: ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return v;
  };
  const activation = (name: string, fallback: ActivationName): ActivationName => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    if (!(ACTIVATION_NAMES as readonly string[]).includes(raw))
      throw new Error(`coordnet: ${name} must be one of ${ACTIVATION_NAMES.join(", ")}, got "${raw}"`);
    return raw as ActivationName;
  };
  const rawLr = params.get("lr");
  const lr = rawLr === null ? undefined : Number(rawLr);
  if (lr !== undefined && !(lr > 0 && lr < 1)) throw new Error(`coordnet: lr must be a number between 0 and 1, got "${rawLr}"`);
  const spec: MLPSpec = {
    inputs: int("inputs", 1, 4096) ?? VERIFY_SPEC.inputs,
    outputs: int("outputs", 1, 4096) ?? VERIFY_SPEC.outputs,
    width: int("width", 1, 4096) ?? VERIFY_SPEC.width,
    depth: int("depth", 1, 4096) ?? VERIFY_SPEC.depth,
    activation: activation("activation", VERIFY_SPEC.activation),
    outputActivation: activation("output", VERIFY_SPEC.outputActivation),
  };
  return { type: "compare", a, b, spec, batch: int("batch", 1, 65536), steps: int("steps", 1, 1000), seed: int("seed", 0, Number.MAX_SAFE_INTEGER), lr };
}

// ---- messages from the worker -----------------------------------------------------------------

worker.addEventListener("message", (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case "ready":
      // the scripted mode names its backend: it skips probing the others (a WebGPU probe can take seconds)
      if (!scripted) send({ type: "list" });
      else if (params.has("verify")) {
        try {
          send(verifyMessage());
        } catch (e) {
          finish({ error: (e as Error).message });
        }
      } else if (params.get("lesson") === "1") {
        // ?lesson=1[&backend=&epochs=&size=&seed=&width=&depth=]&autorun=1: both networks →
        // { lesson, backend, epochs, seed, relu, positional }
        try {
          if (params.has("preset")) throw new Error("coordnet: the lesson trains the positional preset and its twin on raw coordinates; preset cannot be set");
          const o = scriptedOptions();
          const { epochs = 30, seed = 0, ...network } = o.overrides as { epochs?: number; seed?: number };
          runLesson({ epochs, seed, backend: o.backend, size: o.size ?? { width: 64, height: 64 }, network }).then(finish, (e) =>
            finish({ error: (e as Error).message }),
          );
        } catch (e) {
          finish({ error: (e as Error).message });
        }
      } else {
        try {
          start(scriptedOptions()).catch((e) => finish({ error: (e as Error).message }));
        } catch (e) {
          finish({ error: (e as Error).message });
        }
      }
      break;
    case "backends":
      listBackendsUi(m.backends);
      if (!m.isolated) status("not cross-origin isolated: the wasm backend needs COOP/COEP headers (see README)");
      break;
    case "started":
      status(
        `training ${m.width}×${m.height} on ${m.backend} (${Object.entries(m.details)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ")})`,
      );
      break;
    case "epoch":
      losses.push(m.loss);
      drawLoss();
      $("stats").textContent =
        `epoch ${m.epoch}/${m.epochs} · loss ${m.loss.toExponential(3)} · PSNR ${m.psnr.toFixed(2)} dB · ${Math.round(m.samplesPerSecond).toLocaleString("en")} samples/s`;
      if (m.image !== undefined) {
        lastImage = m.image;
        show($("reconstruction"), m.image);
      }
      break;
    case "paused":
      setRunning(true, true);
      status(`paused after epoch ${m.epoch}`);
      break;
    case "done": {
      setRunning(false);
      lastImage = m.image;
      show($("reconstruction"), m.image);
      if (modelUrl !== null) URL.revokeObjectURL(modelUrl);
      modelUrl = URL.createObjectURL(new Blob([m.safetensors as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
      setDownload("download-model", modelUrl);
      pngUrl(m.image).then((url) => setDownload("download-png", url));
      status(`done: ${m.epochs} epochs on ${m.backend}, PSNR ${m.psnr.toFixed(2)} dB`);
      finish({ backend: m.backend, epochs: m.epochs, losses: m.losses, psnr: m.psnr, samplesPerSecond: m.samplesPerSecond });
      break;
    }
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

if (!scripted) useDefaultImage().catch((e) => imageError((e as Error).message));
void lastImage;
