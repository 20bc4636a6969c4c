/**
 * @module
 * The GPU kit's driver (bundled by `scripts/gpu-kit` into `app/gpu-bench.mjs`; `run.sh` calls it).
 *
 * `train`: trains the study's network (the `relu-sigmoid` preset: 4×128, batch 1024, Adam) on the
 * built-in photograph at `--size`² on the `webgpu` backend only, through the same `runTraining`
 * the CLI uses, and writes `webgpu.json` (adapter, executor, per-epoch seconds, loss, MSE). Before
 * touching the GPU it writes the workload for PyTorch: `targets.f32` (the resized image, row-major
 * [H·W][3] float32, pixel order y·W + x) and `workload.json` (network, optimiser, schedule,
 * epochs, initial weights), so the PyTorch run learns the same pixels from the same start.
 *
 * `merge`: folds `coordnet info`, the environment run.sh found, the webgpu and PyTorch results
 * into one JSON file (written whole: a temporary file, then a rename).
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, hostname, totalmem } from "node:os";
import { join } from "node:path";
import { probeWebGPU } from "../../src/backends/gpujs/device.js";
import { gpujsWebgpuBackend as webgpuBackend } from "../../src/backends/gpujs/index.js";
import { ReferenceTrainer } from "../../src/backends/reference.js";
import { registerBackend } from "../../src/backends/registry.js";
import type { Config } from "../../src/config.js";
import { createEncoder, encodeImageGrid } from "../../src/encoding/index.js";
import { DEFAULT_IMAGE, type RGBImage, readPNG, resample } from "../../src/image/index.js";
import { initialWeights, networkSpec } from "../../src/model.js";
import { loadPreset } from "../../src/presets.js";
import { layerSizes } from "../../src/reference/mlp.js";
import { type RunRecord, runTraining } from "../../src/training/runner.js";

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
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got '${v}'`);
  return n;
}

function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

async function train(f: Map<string, string>): Promise<number> {
  const work = f.get("work") ?? ".";
  const size = numberFlag(f, "size", 512);
  const epochs = numberFlag(f, "epochs", 4);
  const warmup = numberFlag(f, "warmup", 1);
  const maxSeconds = numberFlag(f, "max-seconds", 300);
  mkdirSync(work, { recursive: true });

  // the workload, for PyTorch too: same pixels, same config, same first weights
  const preset = loadPreset(PRESET);
  const config = { ...preset.config, training: { ...preset.config.training, epochs } };
  const image = resample(readPNG(DEFAULT_IMAGE), size, size);
  writeFileSync(join(work, "targets.f32"), Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  const spec = networkSpec(config);
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
    batchSize: config.training.batchSize,
    epochs,
    warmup,
    seed: config.training.seed,
    weights: initialWeights(config).map((w) => ({ weight: Array.from(w.weight), bias: Array.from(w.bias) })),
  });

  const result: Record<string, unknown> = { ok: false, backend: "webgpu", preset: PRESET, size, epochsRequested: epochs, warmupEpochs: warmup, maxSeconds };
  const out = join(work, "webgpu.json");
  try {
    const probe = await probeWebGPU();
    result.adapter = probe.ok ? { name: probe.adapter, software: probe.software } : null;
    if (!probe.ok) {
      result.error = `no WebGPU adapter: ${probe.reason}`;
      writeJson(out, result);
      console.error(`coordnet: ${result.error}`);
      return 3;
    }
    console.log(`webgpu adapter: ${probe.adapter}${probe.software ? " (a SOFTWARE renderer, not a GPU)" : ""}`);
    const check = await checkGradients(config, image);
    result.check = check;
    const fmt = Object.entries(check.worst).map(([k, v]) => `${k} ${v.toExponential(1)}`);
    console.log(`webgpu vs reference, one batch of ${CHECK_BATCH}: ${check.pass ? "pass" : `FAIL: ${check.failure}`} (largest |diff|: ${fmt.join(", ")})`);
    registerBackend(webgpuBackend);
    const started = performance.now();
    let lastLog = started;
    // what a run killed from outside (run.sh's timeout) leaves behind: how far it got
    const partial = (done: number) =>
      writeJson(out, { ...result, error: `did not finish: stopped from outside after ${done} epochs, ${((performance.now() - started) / 1000).toFixed(1)} s` });
    partial(0);
    const record: RunRecord = await runTraining({
      config,
      image,
      imageSource: "default",
      backend: "webgpu",
      outDir: join(work, "run"),
      snapshots: [],
      version: "gpu-kit",
      shouldStop: () => (performance.now() - started) / 1000 > maxSeconds,
      onProgress: (p) => {
        const now = performance.now();
        if (p.samplesDone % (image.width * image.height) === 0) partial(p.samplesDone / (image.width * image.height));
        if (now - lastLog < 10_000) return;
        lastLog = now;
        console.log(`  epoch ${p.epoch}/${p.epochs}, ${Math.round(p.samplesPerSecond)} samples/s`);
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const epochSeconds = record.history.map((h) => h.seconds);
    const timed = epochSeconds.slice(warmup);
    const perEpoch = median(timed);
    const pixels = image.width * image.height;
    Object.assign(result, {
      ok: record.status === "complete" && timed.length > 0 && check.pass,
      status: record.status,
      details: record.backend.details,
      epochsRun: record.history.length,
      epochSeconds,
      timedEpochSecondsMedian: perEpoch,
      timedEpochSecondsMean: mean(timed),
      samplesPerSecond: perEpoch ? pixels / perEpoch : null,
      trainingSeconds: record.trainingSeconds,
      wallSeconds,
      // a run cut by --max-seconds: the whole run, extrapolated from its own epochs
      projectedSeconds:
        record.status === "complete" || perEpoch === null
          ? record.trainingSeconds
          : epochSeconds.slice(0, warmup).reduce((a, b) => a + b, 0) + (epochs - warmup) * perEpoch,
      loss: record.history.map((h) => h.loss),
      finalLoss: record.finalLoss,
      mse: record.mse,
      psnr: record.psnr,
    });
    if (!check.pass) result.error = `webgpu disagrees with the reference: ${check.failure}`;
    else if (record.status !== "complete") result.error = `stopped after ${record.history.length} of ${epochs} epochs (--max-seconds ${maxSeconds})`;
    else if (timed.length === 0) result.error = `no timed epoch: ${epochs} epochs with ${warmup} warm-up`;
    writeJson(out, result);
    console.log(
      `webgpu: ${record.history.length} epochs at ${size}², ${perEpoch?.toFixed(3) ?? "–"} s/epoch after warm-up (${epochSeconds.map((s) => s.toFixed(2)).join(", ")}), loss ${record.finalLoss?.toExponential(3)}, PSNR ${record.psnr?.toFixed(2) ?? "–"} dB`,
    );
    return result.ok ? 0 : 1;
  } catch (e) {
    result.error = (e as Error).stack ?? String(e);
    writeJson(out, result);
    console.error(`coordnet: webgpu run failed: ${(e as Error).message}`);
    return 1;
  }
}

const CHECK_BATCH = 1024;

/**
 * Before timing: one batch of the study's network (the first pixels, coordnet's initial weights)
 * through the webgpu trainer's `gradients()` against the reference in float32 and float64: the
 * outputs, the loss and every dW and db, within test/parity.test.ts's tolerance
 * |webgpu − ref32| ≤ 20·|ref32 − ref64| + 1e-4·max|ref32| + 1e-4·|ref32|. A GPU that computes
 * wrongly fast is not a result.
 */
async function checkGradients(config: Config, image: RGBImage): Promise<{ pass: boolean; worst: Record<string, number>; failure?: string }> {
  const spec = networkSpec(config);
  const options = { spec, adam: config.optimizer, weights: initialWeights(config), maxBatch: CHECK_BATCH };
  // every (N/n)-th pixel, so the batch spans the whole image
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
  const gpu = await webgpuBackend.create(options);
  try {
    const [g, r32, r64] = await Promise.all(
      [gpu, new ReferenceTrainer(options), new ReferenceTrainer(options, "float64")].map((t) => t.gradients(inputs, targets, n)),
    );
    const worst: Record<string, number> = {};
    let failure: string | undefined;
    const compare = (name: string, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>) => {
      let scale = 0;
      for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
      for (let k = 0; k < b.length; k++) {
        const err = Math.abs(a[k] - b[k]);
        const bound = 20 * Math.abs(b[k] - c[k]) + 1e-4 * scale + 1e-4 * Math.abs(b[k]);
        worst[name] = Math.max(worst[name] ?? 0, err);
        if (!(err <= bound) && failure === undefined) failure = `${name}[${k}]: webgpu ${a[k]}, reference ${b[k]} (float64 ${c[k]})`;
      }
    };
    compare("outputs", g.outputs, r32.outputs, r64.outputs);
    compare("loss", [g.loss], [r32.loss], [r64.loss]);
    g.grads.forEach((layer, l) => {
      compare(`dW${l}`, layer.weight, r32.grads[l].weight, r64.grads[l].weight);
      compare(`db${l}`, layer.bias, r32.grads[l].bias, r64.grads[l].bias);
    });
    return { pass: failure === undefined, worst, ...(failure ? { failure } : {}) };
  } finally {
    await gpu.dispose();
  }
}

function readJson(path: string | undefined): unknown {
  if (path === undefined || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { ok: false, error: `unreadable ${path}: ${(e as Error).message}` };
  }
}

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
  if (!outPath) throw new Error("merge needs --out FILE");
  const webgpu = readJson(f.get("webgpu")) as Record<string, unknown> | null;
  const torch = readJson(f.get("torch")) as Record<string, unknown> | null;
  const info = f.get("info") && existsSync(f.get("info") as string) ? readFileSync(f.get("info") as string, "utf8") : null;
  const g = webgpu?.timedEpochSecondsMedian as number | null | undefined;
  const t = torch?.timedEpochSecondsMedian as number | null | undefined;
  const result = {
    kit: readJson(f.get("kit")),
    mode: f.get("mode") ?? "default",
    machine: machine(),
    coordnetInfo: info?.trimEnd().split("\n") ?? null,
    webgpu: webgpu ?? { ok: false, error: "the webgpu run wrote no result" },
    torch: torch ?? {
      ok: false,
      error: f.get("torch-ran") === "true" ? "the PyTorch run wrote no result (see the log)" : "not run (python3 cannot import torch)",
    },
    // how many times longer coordnet's webgpu epoch takes than PyTorch's on the same machine
    webgpuOverTorchEpochSeconds: g && t ? g / t : null,
  };
  writeJson(outPath, result);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "train") return train(flags(rest));
  if (command === "merge") return merge(flags(rest));
  if (command === "probe") {
    const probe = await probeWebGPU();
    console.log(JSON.stringify(probe));
    return probe.ok ? 0 : 3;
  }
  throw new Error(`usage: gpu-bench train|merge|probe [--flags]; got '${command ?? ""}'`);
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
