/**
 * @module
 * The GPU kit's driver (bundled by `scripts/gpu-kit` into `app/gpu-bench.mjs`; `run.sh` calls it).
 *
 * Runners are coordnet backends by their registry NAMES (`webgpu`, `gpujs-webgpu`, any other
 * registered name or alias, resolved through `src/backends/index.js`, which registers every
 * built-in backend) and `pytorch` (`torch_bench.py`, run by run.sh). Every runner runs the same
 * cells: the study's network (the `relu-sigmoid` preset: 4×128, Adam) on the built-in photograph
 * at `size`², at each batch of the plan.
 *
 * `plan`: writes the run's plan and the workload PyTorch needs into `--work`: `workload.json`
 * (network, optimiser, schedule, initial weights, and the cells: batch, epochs, warm-up, caps) and
 * `targets.f32` (the resized image, row-major [H·W][3] float32, pixel order y·W + x), so that
 * every runner learns the same pixels from the same start.
 *
 * `cells --runner NAME`: probes the backend, checks one batch of its gradients against the
 * reference (a backend that fails gets no timing), then trains each cell through the same
 * `startSession`/`trainOneEpoch` the CLI's runs use, one whole epoch at a time, and writes
 * `coordnet-NAME.json` after every epoch (a run killed from outside keeps what it finished).
 *
 * `merge`: folds the plan, `coordnet info`, the machine run.sh found and every runner's cells into
 * one JSON file (written whole: a temporary file, then a rename), with the ratios between runners.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, hostname, totalmem } from "node:os";
import { join } from "node:path";
import { probeBackend, ReferenceTrainer, requireBackend, resolveBackendName } from "../../src/backends/index.js";
import type { Config } from "../../src/config.js";
import { createEncoder, encodeImageGrid } from "../../src/encoding/index.js";
import { DEFAULT_IMAGE, type RGBImage, readPNG, resample } from "../../src/image/index.js";
import { initialWeights, networkSpec } from "../../src/network.js";
import { loadPreset } from "../../src/presets.js";
import { layerSizes } from "../../src/reference/mlp.js";
import { finalImage, startSession, type TrainingSession, trainOneEpoch } from "../../src/training/loop.js";

const PRESET = "relu-sigmoid";

/** `--name value` flags after the command word. */
function flags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith("--")) throw new Error(`unexpected argument '${a}'`);
    const next = argv[k + 1];
    if (next === undefined || next.startsWith("--")) out.set(a.slice(2), "true");
    else {
      out.set(a.slice(2), next);
      k++;
    }
  }
  return out;
}

function numberFlag(f: Map<string, string>, name: string, fallback: number): number {
  const v = f.get(name);
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got '${v}'`);
  return n;
}

function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

function readJson(path: string | undefined): unknown {
  if (path === undefined || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { ok: false, error: `unreadable ${path}: ${(e as Error).message}` };
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---- the plan ---------------------------------------------------------------------------------

/** One (runner, batch) measurement, as planned. */
interface CellPlan {
  /** the batch asked for (the study's 1024, 16,384, 65,536) */
  batch: number;
  /** the batch that runs: a batch larger than the image is the whole image */
  effectiveBatch: number;
  /** true for the study's run: its epochs end to end, PSNR at the end */
  study: boolean;
  /** epochs at most, warm-up included */
  epochs: number;
  /** leading epochs not timed (shader compiles, first uploads) */
  warmup: number;
  /** no epoch starts after this many seconds of the cell's training (warm-up included) */
  maxSeconds: number;
  /** render the whole image at the end for its MSE and PSNR (skipped by --quick but at batch 1024: on SwiftShader it costs an epoch's time) */
  measureImage: boolean;
}

interface Plan {
  mode: string;
  size: number;
  pixels: number;
  batches: number[];
  cells: CellPlan[];
  /** seconds from the kit's start after which no cell starts (run.sh passes it as a deadline) */
  budgetSeconds: number;
}

/**
 * What each mode runs. Every cell is capped by epochs and by seconds (checked between epochs: a
 * cell overruns its cap by at most one epoch), and no cell starts once the kit's budget is spent.
 */
function makePlan(f: Map<string, string>): Plan {
  const mode = f.get("mode") ?? "default";
  if (!["quick", "default", "full"].includes(mode)) throw new Error(`--mode must be quick, default or full, got '${mode}'`);
  const size = numberFlag(f, "size", mode === "quick" ? 64 : 512);
  if (!Number.isInteger(size) || size < 2) throw new Error(`--size must be an integer ≥ 2, got ${size}`);
  const batches = (f.get("batches") ?? "1024,16384,65536").split(",").map((s) => Number(s));
  if (batches.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`--batches must be positive integers, got '${f.get("batches")}'`);
  const pixels = size * size;
  const warmup = numberFlag(f, "warmup", 1);
  const timed = numberFlag(f, "timed-epochs", mode === "quick" ? 1 : 5);
  const cellSeconds = numberFlag(f, "cell-seconds", mode === "quick" ? 60 : 20);
  const studyEpochs = numberFlag(f, "epochs", 200);
  const studySeconds = numberFlag(f, "max-seconds", 90);
  const budgetSeconds = numberFlag(f, "budget", mode === "full" ? 400 : mode === "quick" ? 1800 : 300);
  const cells: CellPlan[] = batches.map((batch) => {
    const study = mode === "full" && batch === 1024;
    return {
      batch,
      effectiveBatch: Math.min(batch, pixels),
      study,
      epochs: study ? studyEpochs : warmup + timed,
      warmup,
      maxSeconds: study ? studySeconds : cellSeconds,
      measureImage: mode !== "quick" || batch === 1024,
    };
  });
  // the study's long run last: the short cells' figures come first whatever happens to it
  cells.sort((a, b) => Number(a.study) - Number(b.study));
  return { mode, size, pixels, batches, cells, budgetSeconds };
}

function studyConfig(batch: number, epochs: number): Config {
  const preset = loadPreset(PRESET);
  return { ...preset.config, training: { ...preset.config.training, batchSize: batch, epochs } };
}

function trainingImage(size: number): RGBImage {
  return resample(readPNG(DEFAULT_IMAGE), size, size);
}

/** `plan`: the plan and PyTorch's workload (same pixels, same network, same first weights). */
function plan(f: Map<string, string>): number {
  const work = f.get("work") ?? ".";
  mkdirSync(work, { recursive: true });
  const p = makePlan(f);
  const config = studyConfig(1024, 200);
  const image = trainingImage(p.size);
  writeFileSync(join(work, "targets.f32"), Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  const spec = networkSpec(config);
  writeJson(join(work, "plan.json"), p);
  writeJson(join(work, "workload.json"), {
    preset: PRESET,
    width: image.width,
    height: image.height,
    range: config.encoding.range,
    sizes: layerSizes(spec),
    activation: spec.activation,
    outputActivation: spec.outputActivation,
    optimizer: config.optimizer,
    schedule: config.schedule,
    seed: config.training.seed,
    cells: p.cells,
    weights: initialWeights(config).map((w) => ({ weight: Array.from(w.weight), bias: Array.from(w.bias) })),
  });
  const say = (c: CellPlan) =>
    `batch ${c.batch}${c.effectiveBatch !== c.batch ? ` (${c.effectiveBatch}: the whole image)` : ""}: ${c.study ? "the study's run, " : ""}≤ ${c.epochs} epochs (${c.warmup} warm-up), ≤ ${c.maxSeconds} s`;
  console.log(`plan (${p.mode}, ${p.size}×${p.size}, budget ${p.budgetSeconds} s), per runner:\n${p.cells.map((c) => `  ${say(c)}`).join("\n")}`);
  return 0;
}

// ---- one coordnet runner ------------------------------------------------------------------------

/** The fields every cell has, whichever runner ran it (torch_bench.py writes the same). */
interface CellResult {
  runner: string;
  batch: number;
  effectiveBatch: number;
  study: boolean;
  size: number;
  ok: boolean;
  /** `complete`: all its epochs; `capped`: stopped by its seconds cap or the kit's budget; `skipped`; `failed` */
  status: "complete" | "capped" | "skipped" | "failed";
  error?: string;
  epochsRequested: number;
  warmupEpochs: number;
  maxSeconds: number;
  epochsRun: number;
  epochSeconds: number[];
  /** median of the epochs after the warm-up (null when none was timed) */
  secondsPerEpoch: number | null;
  samplesPerSecond: number | null;
  /** seconds of training (the epochs' sum) */
  trainingSeconds: number;
  /** the requested epochs' time: measured when complete, else warm-up + the rest at the median */
  projectedSeconds: number | null;
  loss: number[];
  mse: number | null;
  psnr: number | null;
  [more: string]: unknown;
}

/** A cell that has not run (yet): written once here, for `cells` and for `merge`'s missing cells alike. */
function blankCell(runner: string, c: CellPlan, size: number, status: CellResult["status"], error: string): CellResult {
  return {
    runner,
    batch: c.batch,
    effectiveBatch: c.effectiveBatch,
    study: c.study,
    size,
    ok: false,
    status,
    error,
    epochsRequested: c.epochs,
    warmupEpochs: c.warmup,
    maxSeconds: c.maxSeconds,
    epochsRun: 0,
    epochSeconds: [],
    secondsPerEpoch: null,
    samplesPerSecond: null,
    trainingSeconds: 0,
    projectedSeconds: null,
    loss: [],
    mse: null,
    psnr: null,
  };
}

const CHECK_BATCH = 1024;

/**
 * Before timing: one batch of the study's network (pixels spread over the whole image, coordnet's
 * initial weights) through the backend's `gradients()` against the reference in float32 and
 * float64: the outputs, the loss and every dW and db, within test/parity.test.ts's tolerance
 * |backend − ref32| ≤ 20·|ref32 − ref64| + 1e-4·max|ref32| + 1e-4·|ref32|. A GPU that computes
 * wrongly fast is not a result.
 */
async function checkGradients(
  name: string,
  config: Config,
  image: RGBImage,
): Promise<{ pass: boolean; worst: Record<string, number>; failure?: string; ran: string; details: Record<string, string> }> {
  const spec = networkSpec(config);
  const options = { spec, adam: config.optimizer, weights: initialWeights(config), maxBatch: CHECK_BATCH };
  const all = encodeImageGrid(createEncoder(config.encoding, config.training.seed), image.width, image.height);
  const N = image.width * image.height;
  const n = Math.min(CHECK_BATCH, N);
  const [F, C] = [spec.inputs, spec.outputs];
  const inputs = new Float32Array(n * F);
  const targets = new Float32Array(n * C);
  for (let k = 0; k < n; k++) {
    const p = Math.floor((k * N) / n);
    inputs.set(all.subarray(p * F, (p + 1) * F), k * F);
    targets.set(image.data.subarray(p * C, (p + 1) * C), k * C);
  }
  const trainer = await (await requireBackend(name)).create(options);
  try {
    const [g, r32, r64] = await Promise.all(
      [trainer, new ReferenceTrainer(options), new ReferenceTrainer(options, "float64")].map((t) => t.gradients(inputs, targets, n)),
    );
    const worst: Record<string, number> = {};
    let failure: string | undefined;
    const compare = (what: string, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>) => {
      let scale = 0;
      for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
      for (let k = 0; k < b.length; k++) {
        const err = Math.abs(a[k] - b[k]);
        const bound = 20 * Math.abs(b[k] - c[k]) + 1e-4 * scale + 1e-4 * Math.abs(b[k]);
        worst[what] = Math.max(worst[what] ?? 0, err);
        if (!(err <= bound) && failure === undefined) failure = `${what}[${k}]: ${name} ${a[k]}, reference ${b[k]} (float64 ${c[k]})`;
      }
    };
    compare("outputs", g.outputs, r32.outputs, r64.outputs);
    compare("loss", [g.loss], [r32.loss], [r64.loss]);
    g.grads.forEach((layer, l) => {
      compare(`dW${l}`, layer.weight, r32.grads[l].weight, r64.grads[l].weight);
      compare(`db${l}`, layer.bias, r32.grads[l].bias, r64.grads[l].bias);
    });
    return { pass: failure === undefined, worst, ...(failure ? { failure } : {}), ran: trainer.info.backend, details: { ...trainer.info.details } };
  } finally {
    await trainer.dispose();
  }
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software/i;

/** `cells --runner NAME`: parity, then every cell of the plan on that backend. */
async function cells(f: Map<string, string>): Promise<number> {
  const work = f.get("work") ?? ".";
  const name = f.get("runner");
  if (!name) throw new Error("cells needs --runner NAME (a coordnet backend)");
  const p = JSON.parse(readFileSync(join(work, "plan.json"), "utf8")) as Plan;
  const deadline = numberFlag(f, "deadline", Number.POSITIVE_INFINITY); // Date.now() milliseconds
  const out = join(work, `coordnet-${name}.json`);
  const image = trainingImage(p.size);
  const result: Record<string, unknown> & { runs: CellResult[] } = { runner: name, ok: false, runs: [] };
  const save = () => writeJson(out, result);
  const blank = (c: CellPlan, status: CellResult["status"], error: string) => blankCell(name, c, p.size, status, error);
  const skipAll = (why: string) => {
    result.runs = p.cells.map((c) => blank(c, "skipped", why));
    save();
  };
  try {
    // which backend the name stands for here (an alias followed) and what it runs on
    result.resolved = await resolveBackendName(name);
    const { probe } = await probeBackend(name);
    if (!probe.available) {
      result.adapter = null;
      result.error = `${name} cannot run here: ${probe.reason}`;
      skipAll(result.error as string);
      console.error(`coordnet: ${result.error}`);
      return /adapter/i.test(probe.reason) ? 3 : 1;
    }
    const software = SOFTWARE.test(probe.device ?? "") || SOFTWARE.test(probe.autoSkip ?? "");
    result.adapter = probe.device !== undefined ? { name: probe.device, software } : null;
    console.log(
      `${name}${result.resolved !== name ? ` (= ${result.resolved})` : ""}: ${probe.device ?? "no adapter named"}${software ? " — a SOFTWARE renderer, not a GPU" : ""}`,
    );

    const check = await checkGradients(name, studyConfig(CHECK_BATCH, 1), image);
    result.parity = check;
    const fmt = Object.entries(check.worst).map(([k, v]) => `${k} ${v.toExponential(1)}`);
    console.log(`${name} vs reference, one batch of ${CHECK_BATCH}: ${check.pass ? "pass" : `FAIL: ${check.failure}`} (largest |diff|: ${fmt.join(", ")})`);
    if (!check.pass) {
      result.error = `${name} disagrees with the reference: ${check.failure}`;
      skipAll(`no timing: ${result.error}`);
      return 1;
    }

    for (const c of p.cells) {
      const cell = blank(c, "skipped", "not run yet");
      result.runs.push(cell);
      save();
      if (Date.now() >= deadline) {
        cell.error = "the kit's time budget was spent before this cell";
        save();
        console.log(`  batch ${c.batch}: skipped (budget spent)`);
        continue;
      }
      await runCell(name, c, image, cell, deadline, save);
    }
    result.ok = result.runs.every((r) => r.ok);
    save();
    return result.ok ? 0 : 1;
  } catch (e) {
    result.error = (e as Error).stack ?? String(e);
    if (result.runs.length === 0) skipAll(`not run: ${(e as Error).message}`);
    save();
    console.error(`coordnet: ${name} failed: ${(e as Error).message}`);
    return 1;
  }
}

/** One cell: whole epochs until its epochs, its seconds or the kit's budget run out; then the image's MSE. */
async function runCell(name: string, c: CellPlan, image: RGBImage, cell: CellResult, deadline: number, save: () => void): Promise<void> {
  let session: TrainingSession | undefined;
  try {
    const config = studyConfig(c.batch, c.epochs);
    session = await startSession({ config, image, backend: name });
    cell.ran = session.trainer.info.backend;
    cell.details = { ...session.trainer.info.details };
    cell.error = "did not finish: stopped from outside during its first epoch";
    save();
    let cut: string | undefined;
    while (session.state.epoch < c.epochs) {
      if (session.state.epoch > c.warmup && session.state.seconds >= c.maxSeconds) {
        cut = `stopped after ${session.state.epoch} of ${c.epochs} epochs: the cell's cap of ${c.maxSeconds} s`;
        break;
      }
      if (session.state.epoch > c.warmup && Date.now() >= deadline) {
        cut = `stopped after ${session.state.epoch} of ${c.epochs} epochs: the kit's time budget`;
        break;
      }
      const { completed } = await trainOneEpoch(session);
      if (completed === null) throw new Error("an epoch stopped part-way");
      cell.epochSeconds.push(completed.seconds);
      cell.loss.push(completed.loss);
      cell.epochsRun = session.state.epoch;
      cell.trainingSeconds = session.state.seconds;
      cell.details = { ...session.trainer.info.details }; // the executor is known once it ran
      cell.error = `did not finish: stopped from outside after ${cell.epochsRun} epochs, ${cell.trainingSeconds.toFixed(1)} s`;
      save();
    }
    const timed = cell.epochSeconds.slice(c.warmup);
    const perEpoch = median(timed);
    cell.secondsPerEpoch = perEpoch;
    cell.samplesPerSecond = perEpoch ? (image.width * image.height) / perEpoch : null;
    const warm = cell.epochSeconds.slice(0, c.warmup).reduce((a, b) => a + b, 0);
    cell.projectedSeconds = cut === undefined ? cell.trainingSeconds : perEpoch === null ? null : warm + (c.epochs - c.warmup) * perEpoch;
    if (c.measureImage) {
      const t0 = performance.now();
      const { metrics } = await finalImage(session, image);
      cell.mse = metrics.mse;
      cell.psnr = metrics.psnr;
      cell.predictSeconds = (performance.now() - t0) / 1000;
    }
    cell.status = cut === undefined ? "complete" : "capped";
    cell.ok = perEpoch !== null && cell.loss.every(Number.isFinite);
    if (cut !== undefined) cell.error = cut;
    else if (perEpoch === null) cell.error = `no timed epoch: ${c.epochs} epochs with ${c.warmup} warm-up`;
    else delete cell.error;
    save();
    const f3 = (x: number | null) => (x === null ? "–" : x.toFixed(3));
    console.log(
      `  ${name} batch ${c.batch}${c.study ? " (study)" : ""}: ${cell.epochsRun} epochs, ${f3(perEpoch)} s/epoch, ${cell.samplesPerSecond ? Math.round(cell.samplesPerSecond).toLocaleString("en") : "–"} samples/s, ${cell.trainingSeconds.toFixed(1)} s${cut ? ` (${cut}; projected ${f3(cell.projectedSeconds)} s)` : ""}, loss ${cell.loss.at(-1)?.toExponential(3)}${cell.psnr !== null ? `, PSNR ${cell.psnr.toFixed(2)} dB` : ""}`,
    );
  } catch (e) {
    cell.ok = false;
    cell.status = "failed";
    cell.error = (e as Error).stack ?? String(e);
    save();
    console.error(`  ${name} batch ${c.batch}: failed: ${(e as Error).message}`);
  } finally {
    await session?.trainer.dispose();
  }
}

// ---- one JSON ------------------------------------------------------------------------------------

/** What run.sh found on this machine (it passes it in `KIT_*` variables) and the host itself. */
function machine(): Record<string, unknown> {
  const env = process.env;
  const lines = (v: string | undefined) => (v ? v.split("\n").filter((s) => s.trim() !== "") : []);
  return {
    hostname: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    nvidiaSmi: lines(env.KIT_NVIDIA_SMI),
    vulkanIcdFound: lines(env.KIT_ICD_FOUND),
    vulkanIcdChosen: env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? null,
    vulkanLoader: env.KIT_VULKAN_LOADER ?? null,
    eglVendor: env.__EGL_VENDOR_LIBRARY_FILENAMES ?? null,
    ldLibraryPath: env.LD_LIBRARY_PATH ?? null,
  };
}

function merge(f: Map<string, string>): number {
  const outPath = f.get("out");
  const work = f.get("work");
  if (!outPath || !work) throw new Error("merge needs --work DIR --out FILE");
  const p = readJson(join(work, "plan.json")) as Plan | null;
  const runnerNames = (f.get("runners") ?? "").split(",").filter((s) => s !== "");
  const info = existsSync(join(work, "info.txt")) ? readFileSync(join(work, "info.txt"), "utf8") : null;
  const runners: Record<string, Record<string, unknown>> = {};
  const runs: CellResult[] = [];
  for (const r of runnerNames) {
    const file = r === "pytorch" ? join(work, "torch.json") : join(work, `coordnet-${r}.json`);
    let got = readJson(file) as (Record<string, unknown> & { runs?: CellResult[] }) | null;
    if (got === null) {
      const why =
        r === "pytorch"
          ? f.get("torch-ran") === "true"
            ? "the PyTorch run wrote no result (see the log)"
            : "not run (python3 cannot import torch)"
          : `the ${r} run wrote no result (see the log)`;
      got = { runner: r, ok: false, error: why };
    }
    // every planned cell appears, whatever happened to the runner
    const have = new Map((got.runs ?? []).map((c) => [`${c.batch}`, c]));
    const cellsOf: CellResult[] = (p?.cells ?? []).map(
      (c) => have.get(`${c.batch}`) ?? blankCell(r, c, p?.size ?? 0, "skipped", (got?.error as string | undefined) ?? "not run"),
    );
    for (const c of cellsOf) c.runner = r;
    runs.push(...cellsOf);
    const { runs: _dropped, ...rest } = got;
    runners[r] = rest;
  }
  const perEpoch = (runner: string, batch: number) => runs.find((c) => c.runner === runner && c.batch === batch)?.secondsPerEpoch ?? null;
  const ratio = (a: string, b: string) =>
    Object.fromEntries(
      (p?.batches ?? []).map((batch) => {
        const [x, y] = [perEpoch(a, batch), perEpoch(b, batch)];
        return [String(batch), x !== null && y !== null && y > 0 ? x / y : null];
      }),
    );
  const study = runs.find((c) => c.runner === "webgpu" && c.study);
  const big = runs.find((c) => c.runner === "webgpu" && c.batch === 65536);
  const gVsT = ratio("gpujs-webgpu", "pytorch")["1024"];
  const result = {
    kit: readJson(f.get("kit")),
    mode: p?.mode ?? f.get("mode") ?? "default",
    plan: p,
    machine: machine(),
    coordnetInfo: info?.trimEnd().split("\n") ?? null,
    runners,
    runs,
    // seconds per epoch of one runner over another's at each batch (< 1: the first is faster)
    ratios: {
      "webgpu/pytorch": ratio("webgpu", "pytorch"),
      "gpujs-webgpu/pytorch": ratio("gpujs-webgpu", "pytorch"),
      "webgpu/gpujs-webgpu": ratio("webgpu", "gpujs-webgpu"),
    },
    // issue #18's targets, where this run measured them (null: not measured in this mode)
    targets: {
      webgpuStudySeconds: {
        target: "≤ 20 s (goal ≤ 10 s) for the study's 200 epochs at 512², batch 1024",
        value: study && p?.size === 512 ? (study.status === "complete" ? study.trainingSeconds : study.projectedSeconds) : null,
        projected: study && p?.size === 512 ? study.status !== "complete" : null,
      },
      webgpuSamplesPerSecondAt65536: {
        target: "≥ 50,000,000 samples/s at batch 65,536",
        value: big && big.effectiveBatch === 65536 ? big.samplesPerSecond : null,
      },
      gpujsWebgpuOverPytorchAt1024: { target: "< 1 (gpujs-webgpu faster than PyTorch CUDA)", value: gVsT },
    },
  };
  writeJson(outPath, result);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "plan") return plan(flags(rest));
  if (command === "cells") return cells(flags(rest));
  if (command === "merge") return merge(flags(rest));
  if (command === "probe") {
    // every WebGPU backend by name: whether an adapter answers, and which
    let code = 3;
    for (const name of ["webgpu", "gpujs-webgpu"]) {
      const { probe } = await probeBackend(name);
      console.log(`${name}: ${JSON.stringify(probe)}`);
      if (probe.available) code = 0;
    }
    return code;
  }
  throw new Error(`usage: gpu-bench plan|cells|merge|probe [--flags]; got '${command ?? ""}'`);
}

let code: number;
try {
  code = await run(process.argv.slice(2));
} catch (e) {
  console.error(`coordnet: ${(e as Error).message}`);
  code = 2;
}
await new Promise((resolve) => process.stdout.write("", resolve));
process.exit(code);
