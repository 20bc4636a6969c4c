/**
 * @module
 * The `coordnet` command line: `train`, `paper`, `render`, `info`.
 *
 * Exit codes: 0 done; 1 a failure while working (e.g. training diverged, the disk is full); 2 bad
 * input (arguments, config, image, model file, an output folder that cannot be used), reported in
 * one line before any output file is written; 128 + n stopped by signal n (SIGINT 130, SIGTERM
 * 143, SIGHUP 129) after writing a checkpoint.
 */

import { existsSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import cliProgress from "cli-progress";
import { Command, CommanderError, Option } from "commander";
import { fit } from "../api/fit.js";
import { toRGBImage } from "../api/image.js";
import type { TrainingSummary } from "../api/model.js";
import { Model } from "../api/model.js";
import { releaseWebGPU } from "../backends/gpujs/device.js";
import { listBackends, requireBackend, resolveBackendName } from "../backends/index.js";
import { checkPixels } from "../budget.js";
import { applyOverrides, type Config, ConfigError, OVERRIDE_KEYS } from "../config.js";
import { STORED_INPUTS_MAX_BYTES } from "../encoding/index.js";
import { CoordnetError, oneLine, quote } from "../errors.js";
import { runPaper, snapshotEpochs } from "../experiments/paper.js";
import { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, encodePNG, type RGBImage, readPNG, resample } from "../image/index.js";
import { checkOutputPath, fsReason, makeFolder, writeFileAtomic } from "../io/atomic.js";
import { type Checkpoint, loadCheckpoint, loadModel } from "../io/model-file.js";
import { refuseInputsAmongOutputs } from "../io/out-dir.js";
import { READ_LIMITS, readBoundedText } from "../io/read.js";
import { loadPreset, PAPER_PRESETS, presetNames } from "../presets.js";
import { ACTIVATION_NAMES } from "../reference/activations/index.js";
import { type Comparison, parseComparison, presetStats } from "../report/report.js";
import { DivergenceError, imageHash, type Progress, type RunRecord, runTraining } from "../training/runner.js";
import { checkRender, checkTraining, maxMemoryOption } from "./budget.js";
import { type ConfigFlags, configFromFlags, epochList, integer, nonNegativeNumber, oneOf, positiveNumber, size, UsageError, useThreads } from "./options.js";

/** What `paper` writes at the top of its folder (each run writes into `PRESET/seed-N/`). */
const PAPER_OUTPUTS = ["source.png", "results.json", "report.md", "report.html"];

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** Minutes of training between two checkpoints unless `--checkpoint-every` says otherwise. */
const CHECKPOINT_EVERY_MINUTES = 5;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ctrl-C, SIGTERM (`timeout`, `docker stop`, systemd) and SIGHUP (the terminal closed): the first
 * asks the run to stop after the current batch and write its checkpoint; a second one exits at
 * once. The exit code is 128 + the signal's number, as a shell reports a process killed by it.
 */
function interruptFlag(): { stopped: () => boolean; code: () => number; dispose: () => void } {
  let signal: (typeof STOP_SIGNALS)[number] | undefined;
  const code = () => 128 + (signal === undefined ? constants.signals.SIGINT : constants.signals[signal]);
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      if (signal !== undefined) process.exit(code());
      signal = name;
      try {
        process.stderr.write(
          `\ncoordnet: ${name}: stopping after this batch to write a checkpoint (${name === "SIGINT" ? "Ctrl-C" : "signal"} again to quit at once)\n`,
        );
      } catch {
        // after SIGHUP the terminal may be gone
      }
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    stopped: () => signal !== undefined,
    code,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

/** A render's progress bar on a terminal (pixels done of the total); nothing in a pipe or when not `enabled`. */
function renderBar(enabled: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "rendering {bar} {percentage}% | {value}/{total} pixels | ETA {eta_formatted}", hideCursor: true, fps: 5, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** A progress bar on a terminal; nothing in a pipe or with --json. */
function progressBar(enabled: boolean): { update: (p: Progress) => void; stop: () => void; label: (text: string) => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {}, label: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "{label}epoch {epoch}/{epochs} {bar} {percentage}% | loss {loss} | {rate} samples/s | ETA {eta_formatted}",
      hideCursor: true,
      fps: 5,
      etaBuffer: 200,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let label = "";
  return {
    label: (text) => {
      label = text;
    },
    update: (p) => {
      const payload = {
        label,
        epoch: p.epoch,
        epochs: p.epochs,
        loss: Number.isNaN(p.loss) ? "–" : p.loss.toExponential(3),
        rate: Math.round(p.samplesPerSecond).toLocaleString("en"),
      };
      if (!started) {
        bar.start(p.samplesTotal, p.samplesDone, payload);
        started = true;
      } else bar.update(p.samplesDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function loadImage(path: string | undefined, maxPixels: number, wanted?: { width: number; height: number }): { image: RGBImage; source: string } {
  if (path === "") throw new UsageError("--image is empty: name a PNG file (or leave --image out for the built-in photograph)");
  const file = path === undefined || path === "default" ? DEFAULT_IMAGE : resolve(path);
  const image = readPNG(file, maxPixels);
  return { image: wanted ? resample(image, wanted.width, wanted.height) : image, source: path === undefined || path === "default" ? "default" : file };
}

function summaryLine(record: RunRecord, outDir: string): string {
  const loss = record.finalLoss === null ? "no epochs" : `loss ${record.finalLoss.toExponential(3)}`;
  return `${record.history.length} epochs on ${record.backend.name} in ${record.trainingSeconds.toFixed(1)} s: ${loss}, MSE ${record.mse?.toExponential(3)}, PSNR ${record.psnr?.toFixed(2)} dB → ${outDir}`;
}

interface TrainFlags extends ConfigFlags {
  image?: string;
  size?: { width: number; height: number };
  snapshots?: number[];
  backend: string;
  out?: string;
  json?: boolean;
  resume?: string;
  force?: boolean;
  checkpointEvery: number;
  maxPixels: number;
  maxMemory: number;
  storedInputs: number;
  threads?: number;
}

/** The config flags a resumed run must agree with (`--epochs` may change: it extends the run). */
const CONFIG_FLAGS = OVERRIDE_KEYS.filter((key) => key !== "epochs");

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const withoutEpochs = (config: Config) => JSON.stringify({ ...config, training: { ...config.training, epochs: 0 } });

/**
 * The flags given with `--resume` that contradict the checkpoint's run: config flags that change
 * its config, another image, size, backend, snapshots or folder, or `--epochs` below where the run
 * stands. Flags that do not change the result (`--json`, `--threads`, …) are fine.
 */
async function resumeConflicts(flags: TrainFlags, given: Set<string>, checkpoint: Checkpoint, dir: string): Promise<string[]> {
  const { config, position } = checkpoint;
  const { run } = position;
  const conflicts: string[] = [];
  const differs = (candidate: () => Config) => {
    try {
      return withoutEpochs(candidate()) !== withoutEpochs(config);
    } catch {
      return true;
    }
  };
  for (const key of ["preset", "config"] as const)
    if (given.has(key) && differs(() => configFromFlags({ [key]: flags[key] }))) conflicts.push(`${flagName(key)} ${flags[key]}`);
  for (const key of CONFIG_FLAGS)
    if (given.has(key) && differs(() => applyOverrides(config, { [key]: flags[key] }))) conflicts.push(`${flagName(key)} ${flags[key]}`);
  if (given.has("image") && (flags.image === "default" ? "default" : resolve(flags.image as string)) !== run.image) conflicts.push(`--image ${flags.image}`);
  const wanted = flags.size;
  if (given.has("size") && wanted !== undefined && (wanted.width !== run.width || wanted.height !== run.height))
    conflicts.push(`--size ${wanted.width}x${wanted.height}`);
  if (given.has("backend") && (await resolveBackendName(flags.backend)) !== run.backend) conflicts.push(`--backend ${flags.backend}`);
  if (given.has("snapshots") && JSON.stringify(flags.snapshots) !== JSON.stringify(run.snapshots)) conflicts.push(`--snapshots ${flags.snapshots?.join(",")}`);
  if (given.has("out") && resolve(flags.out as string) !== resolve(dir)) conflicts.push(`--out ${flags.out}`);
  const epochs = flags.epochs;
  if (given.has("epochs") && epochs !== undefined && (epochs < position.epoch || (epochs === position.epoch && position.next > 0)))
    conflicts.push(`--epochs ${epochs} (the run is past epoch ${position.epoch}${position.next > 0 ? ", part-way through the next" : ""})`);
  return conflicts;
}

async function train(flags: TrainFlags, given: Set<string>, version: string): Promise<number> {
  let resume: Checkpoint | undefined;
  let config: ReturnType<typeof configFromFlags>;
  let imagePath = flags.image;
  let wanted = flags.size;
  let backendName = flags.backend;
  let snapshots: number[];
  let outDir: string;
  if (flags.out === "") throw new UsageError("--out is empty: name a folder (or leave --out out for runs/train-<time>)");
  if (flags.resume === "") throw new UsageError("--resume is empty: name the folder of the run to continue");
  if (flags.resume !== undefined) {
    const file = join(flags.resume, "checkpoint.safetensors");
    if (!existsSync(file)) throw new UsageError(`${flags.resume} has no checkpoint.safetensors to resume`);
    resume = loadCheckpoint(file);
    const conflicts = await resumeConflicts(flags, given, resume, flags.resume);
    if (conflicts.length > 0)
      throw new UsageError(`--resume ${flags.resume} continues that run as it was set up; these flags conflict with its checkpoint: ${conflicts.join(", ")}`);
    const run = resume.position.run;
    const before = resume.config.training.epochs;
    const epochs = given.has("epochs") && flags.epochs !== undefined ? flags.epochs : before;
    if (resume.position.epoch >= epochs && !(given.has("epochs") && epochs > before))
      throw new UsageError(
        `the run in ${flags.resume} is complete (${resume.position.epoch} epochs); to train it further give the new total: coordnet train --resume ${flags.resume} --epochs N (N > ${resume.position.epoch})`,
      );
    config = { ...resume.config, training: { ...resume.config.training, epochs } };
    imagePath = run.image;
    wanted = { width: run.width, height: run.height };
    backendName = run.backend;
    // a run extended past its last epoch gets a snapshot at its new end, as it had at its old one
    snapshots = epochs > before && run.snapshots.includes(before) ? [...run.snapshots, epochs] : run.snapshots.filter((e) => e <= epochs);
    outDir = flags.resume;
  } else {
    config = configFromFlags(flags);
    snapshots = (flags.snapshots ?? snapshotEpochs(config.training.epochs)).filter((e) => e <= config.training.epochs);
    outDir = flags.out ?? join("runs", `train-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`);
  }
  if (wanted !== undefined) checkPixels(flags.resume !== undefined ? "the checkpoint's training size" : "--size", wanted.width, wanted.height, flags.maxPixels);
  const { image, source } = loadImage(imagePath, flags.maxPixels, wanted);
  const recorded = resume?.position.run.imageHash;
  if (recorded !== undefined && recorded !== imageHash(image))
    process.stderr.write(
      `coordnet: warning: ${source} has changed since the checkpoint was written (its pixels differ); training continues on the new image\n`,
    );
  const backend = await resolveBackendName(backendName);
  await requireBackend(backend);
  checkTraining(config, backend, image.width, image.height, {
    maxPixels: flags.maxPixels,
    maxMiB: flags.maxMemory,
    storedInputsMaxBytes: flags.storedInputs * 2 ** 20,
    resuming: resume !== undefined,
  });
  if (resume?.unverified)
    process.stderr.write(
      `coordnet: warning: ${join(outDir, "checkpoint.safetensors")} has no checksum (it was written before coordnet kept one), so its data cannot be verified; resuming all the same\n`,
    );
  const interrupt = interruptFlag();
  const bar = progressBar(!flags.json);
  try {
    const record = await runTraining({
      config,
      image,
      imageSource: source,
      inputs: [...(source === "default" ? [] : [source]), ...(flags.resume === undefined && flags.config !== undefined ? [flags.config] : [])],
      backend,
      outDir,
      snapshots,
      version,
      resume,
      force: flags.force ?? false,
      checkpointEvery: flags.checkpointEvery * 60,
      shouldStop: interrupt.stopped,
      onProgress: bar.update,
      storedInputsMaxBytes: flags.storedInputs * 2 ** 20,
    });
    bar.stop();
    if (record.status === "interrupted") {
      process.stderr.write(`coordnet: interrupted; checkpoint written to ${outDir} — continue with: coordnet train --resume ${outDir}\n`);
      if (flags.json) console.log(JSON.stringify(record));
      return interrupt.code();
    }
    console.log(flags.json ? JSON.stringify(record) : summaryLine(record, outDir));
    return 0;
  } finally {
    bar.stop();
    interrupt.dispose();
  }
}

interface DemoFlags {
  image?: string;
  size: { width: number; height: number };
  epochs: number;
  backend: string;
  out: string;
  seed: number;
  maxPixels: number;
}

/** Side by side: the source, then each image, each `width` wide, separated by a 4-pixel white gap. */
function strip(images: RGBImage[]): RGBImage {
  const gap = 4;
  const { height } = images[0];
  const width = images.reduce((w, im) => w + im.width, 0) + gap * (images.length - 1);
  const data = new Float32Array(width * height * 3).fill(1);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < height; y++) data.set(im.data.subarray(y * im.width * 3, (y + 1) * im.width * 3), (y * width + x0) * 3);
    x0 += im.width + gap;
  }
  return { width, height, data };
}

/**
 * The study's lesson in one command: plain ReLU and positional encoding trained from the same seed
 * on the same image, their PSNRs printed and their images side by side in strip.png.
 */
async function demo(flags: DemoFlags): Promise<number> {
  checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  if (flags.out === "") throw new UsageError("--out is empty: name a folder");
  const { image, source } = loadImage(flags.image, flags.maxPixels, flags.size);
  // every output checked before the two trainings: none may be an input, a folder or a device
  const outputs = ["strip.png", "relu.png", "positional.png", "demo.json"].map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, source === "default" ? [] : [source]);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new UsageError("interrupted"));
  process.once("SIGINT", onSigint);
  const runs = [
    { preset: "relu-sigmoid", label: "ReLU, raw (x, y)", file: "relu.png" },
    { preset: "positional", label: "ReLU + positional encoding (L = 5)", file: "positional.png" },
  ];
  console.log(
    `Training the study's network (4×128, Adam) on ${source === "default" ? "the built-in photograph" : source} at ${image.width}×${image.height}, ${flags.epochs} epochs each, seed ${flags.seed}, on ${backend}:`,
  );
  const results: { preset: string; label: string; psnr: number; mse: number; seconds: number; image: RGBImage }[] = [];
  const bar = progressBar(true);
  try {
    for (const [index, run] of runs.entries()) {
      // the bar `train` has, an epoch at a time (cleared before each result line)
      const pixels = image.width * image.height;
      let trained = 0;
      let seconds = 0;
      bar.label(`[${index + 1}/${runs.length}] ${run.label} `);
      const model = await fit(image, {
        preset: run.preset,
        epochs: flags.epochs,
        seed: flags.seed,
        backend,
        signal: interrupt.signal,
        onEpoch: (e) => {
          trained += pixels;
          seconds += e.seconds;
          bar.update({
            samplesDone: e.epoch * pixels,
            samplesTotal: e.epochs * pixels,
            epoch: e.epoch,
            epochs: e.epochs,
            loss: e.loss,
            samplesPerSecond: trained / Math.max(1e-9, seconds),
          });
        },
      });
      bar.stop();
      const training = model.training as TrainingSummary;
      const rgb = toRGBImage(await model.render(image.width, image.height, { backend, signal: interrupt.signal }), Number.MAX_SAFE_INTEGER);
      results.push({ ...run, psnr: training.psnr, mse: training.mse, seconds: training.seconds, image: rgb });
      console.log(`  ${run.label.padEnd(36)} PSNR ${training.psnr.toFixed(2)} dB  (MSE ${training.mse.toExponential(2)}, ${training.seconds.toFixed(1)} s)`);
    }
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
  }
  makeFolder(flags.out);
  writeFileAtomic(join(flags.out, "strip.png"), encodePNG(strip([image, ...results.map((r) => r.image)])));
  for (const r of results) writeFileAtomic(join(flags.out, runs.find((x) => x.preset === r.preset)?.file as string), encodePNG(r.image));
  const record = {
    image: { source, width: image.width, height: image.height },
    epochs: flags.epochs,
    seed: flags.seed,
    backend,
    runs: results.map(({ preset, label, psnr, mse, seconds }) => ({ preset, label, psnr, mse, seconds })),
  };
  writeFileAtomic(join(flags.out, "demo.json"), `${JSON.stringify(record, null, 2)}\n`);
  const gain = results[1].psnr - results[0].psnr;
  console.log(
    gain >= 1
      ? `Positional encoding is ${gain.toFixed(1)} dB better (${(results[0].mse / results[1].mse).toFixed(1)}× lower error): plain MLPs learn low frequencies first (spectral bias); sin/cos features of the coordinates let the network fit detail.`
      : `After ${flags.epochs} epochs the two are within ${Math.abs(gain).toFixed(1)} dB: both are still learning the coarse colours; train longer (--epochs) to see positional encoding pull ahead.`,
  );
  console.log(`→ ${join(flags.out, "strip.png")} (left to right: the photograph, ReLU, positional encoding)`);
  return 0;
}

interface PaperFlags {
  image?: string;
  epochs: number;
  size?: { width: number; height: number };
  backend: string;
  out: string;
  maxPixels: number;
  maxMemory: number;
  presets?: string;
  storedInputs: number;
  seeds: number;
  compare?: string;
}

/** `--compare FILE`, read and checked against this run before anything is written. */
function readComparison(file: string, image: RGBImage, epochs: number): Comparison {
  const c = parseComparison(readBoundedText(file, "comparison file", READ_LIMITS.json), file);
  if (c.width !== image.width || c.height !== image.height || c.epochs !== epochs)
    throw new UsageError(`--compare: ${file} ran at ${c.width}x${c.height}, ${c.epochs} epochs; this run is ${image.width}x${image.height}, ${epochs} epochs`);
  return c;
}

/**
 * The presets `--presets` names, in its order, each once (a name given twice is one preset: its
 * second run would only find the first one's results and count them as more seeds), and the names
 * given more than once; an unknown name is refused.
 */
function presetList(list: string | undefined): { presets: readonly string[]; repeated: string[] } {
  if (list === undefined) return { presets: PAPER_PRESETS, repeated: [] };
  const names = list.split(",").map((s) => s.trim());
  const known = presetNames();
  for (const name of names) if (!known.includes(name)) throw new UsageError(`--presets: unknown preset ${quote(name)}; available: ${known.join(", ")}`);
  return { presets: [...new Set(names)], repeated: [...new Set(names.filter((name, i) => names.indexOf(name) !== i))] };
}

async function paper(flags: PaperFlags, version: string): Promise<number> {
  const { presets, repeated } = presetList(flags.presets);
  if (flags.size !== undefined) checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  if (flags.out === "") throw new UsageError("--out is empty: name a folder");
  const { image, source } = loadImage(flags.image, flags.maxPixels, flags.size);
  const compare = flags.compare === undefined ? undefined : readComparison(flags.compare, image, flags.epochs);
  const inputs = [...(source === "default" ? [] : [source]), ...(flags.compare === undefined ? [] : [flags.compare])];
  const outputs = PAPER_OUTPUTS.map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, inputs);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  const limits = { maxPixels: flags.maxPixels, maxMiB: flags.maxMemory, storedInputsMaxBytes: flags.storedInputs * 2 ** 20 };
  for (const name of presets) checkTraining(loadPreset(name).config, backend, image.width, image.height, limits);
  // a note, not a refusal: what to run is clear, and the table then has one row per preset
  if (repeated.length > 0) process.stderr.write(`coordnet: note: --presets lists ${repeated.join(", ")} more than once; each preset runs once\n`);
  const interrupt = interruptFlag();
  const bar = progressBar(true);
  try {
    const result = await runPaper({
      image,
      imageSource: source,
      epochs: flags.epochs,
      backend,
      outDir: flags.out,
      version,
      presets,
      seeds: flags.seeds,
      compare,
      inputs,
      shouldStop: interrupt.stopped,
      storedInputsMaxBytes: flags.storedInputs * 2 ** 20,
      onPreset: (preset, index, count, action, seed) => {
        bar.stop();
        bar.label(`[${index + 1}/${count}] ${preset.name} seed ${seed} `);
        if (action !== "run")
          process.stderr.write(
            `[${index + 1}/${count}] ${preset.name} seed ${seed}: ${action === "skip" ? "already complete, kept" : "resuming from its checkpoint"}\n`,
          );
      },
      onProgress: bar.update,
    });
    bar.stop();
    if (result.status === "interrupted") {
      process.stderr.write(`coordnet: interrupted; rerun the same command to continue (completed presets are kept)\n`);
      return interrupt.code();
    }
    for (const s of presetStats(result.rows))
      console.log(
        `${s.name.padEnd(15)} PSNR ${s.psnr?.mean.toFixed(2)}${s.psnr?.sd != null ? ` ± ${s.psnr.sd.toFixed(2)}` : ""} dB  MSE ${s.mse?.mean.toFixed(5)}  ${s.seeds.length} seed${s.seeds.length > 1 ? "s" : ""}, ${s.seconds.toFixed(1)} s each`,
      );
    console.log(`report: ${join(flags.out, "report.html")}`);
    return 0;
  } finally {
    bar.stop();
    interrupt.dispose();
  }
}

interface RenderFlags {
  size: { width: number; height: number };
  out: string;
  backend: string;
  maxPixels: number;
  maxMemory: number;
}

async function render(modelPath: string, flags: RenderFlags): Promise<number> {
  checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  // the output is a regular file or a new path in an existing folder, and not the model itself
  checkOutputPath(flags.out);
  refuseInputsAmongOutputs([flags.out], [modelPath]);
  if (!existsSync(dirname(resolve(flags.out)))) throw new UsageError(`cannot write ${flags.out}: the folder ${dirname(flags.out)} does not exist`);
  const model = loadModel(modelPath);
  const backendName = await resolveBackendName(flags.backend);
  await requireBackend(backendName);
  checkRender(model.config, backendName, flags.size.width, flags.size.height, 4096, { maxPixels: flags.maxPixels, maxMiB: flags.maxMemory });
  // the library's own path (Model.render), with a progress bar for renders of more than 4 megapixels
  const { width, height } = flags.size;
  const bar = renderBar(width * height > 4 * 2 ** 20);
  let image: RGBImage;
  try {
    image = toRGBImage(
      await new Model(model.config, model.weights, model.matrix).render(width, height, { backend: backendName, onProgress: bar.update }),
      Number.MAX_SAFE_INTEGER,
    );
  } finally {
    bar.stop();
  }
  writeFileAtomic(flags.out, encodePNG(image));
  console.log(`rendered ${flags.size.width}×${flags.size.height} with ${backendName} → ${flags.out}`);
  return 0;
}

async function info(version: string): Promise<number> {
  console.log(`coordnet ${version} (Node ${process.version}, ${process.platform}-${process.arch})`);
  console.log("backends:");
  for (const b of await listBackends()) {
    if (!b.available) console.log(`  ${b.name}: unavailable — ${b.reason}`);
    else console.log(`  ${b.name}: available${b.device ? ` on ${b.device}` : ""}${b.reason ? ` (auto passes it over: ${b.reason})` : ""}`);
  }
  console.log(`auto picks: ${await resolveBackendName("auto")}`);
  return 0;
}

/**
 * Run the command line; returns the process exit code. Errors print one line, never a stack
 * (set `COORDNET_DEBUG=1` to see one).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const version = packageVersion();
  let code = 0;
  const program = new Command("coordnet")
    .description("Coordinate networks: an MLP f(x, y) → (r, g, b) that learns an image from its pixel coordinates.")
    .version(version)
    .exitOverride()
    // the parser's errors as every other: one line, `coordnet: …`
    .configureOutput({
      outputError: (text, write) =>
        // a value quoted from the command line is cut like any other
        write(`coordnet: ${oneLine(text.replace(/^error: /, "").trim())} (add --help for usage)\n`),
    });

  const imageOption = () => new Option("--image <png>", "PNG to learn (default: the built-in 512×512 astronaut photograph)");
  const sizeOption = () => new Option("--size <WxH>", "resample the image to this size first (area averaging when shrinking)").argParser(size);
  const maxPixels = () => new Option("--max-pixels <n>", "refuse images with more pixels").argParser(integer(1)).default(DEFAULT_MAX_PIXELS);
  const storedInputs = () =>
    new Option("--stored-inputs <MiB>", "keep encoded inputs in memory up to this size; wider encodings are encoded batch by batch (slower, less memory)")
      .argParser(integer(0))
      .default(STORED_INPUTS_MAX_BYTES / 2 ** 20);
  const backendOption = () => new Option("--backend <name>", "backend to train on (auto: the fastest that runs here)").default("auto");
  const threadsOption = () =>
    new Option("--threads <n>", "threads of the wasm backend (default: $COORDNET_THREADS, else the cores Node reports)").argParser(integer(1));
  program.hook("preAction", (_program, command) => useThreads(command.opts().threads));

  program
    .command("train")
    .description("train a coordinate network on an image and write run.json, model.safetensors, snapshots, final.png and loss.svg")
    .addOption(imageOption())
    .option("--preset <name>", "start from a preset (see presets/)")
    .option("--config <json>", "start from a JSON config file")
    .addOption(new Option("--activation <name>", "hidden activation").choices(ACTIVATION_NAMES).argParser(oneOf(ACTIVATION_NAMES)))
    .addOption(new Option("--output-activation <name>", "output activation").choices(["sigmoid", "none"]).argParser(oneOf(["sigmoid", "none"])))
    .addOption(new Option("--range <r>", "coordinate range: 01 = [0,1], 11 = [-1,1]").choices(["01", "11"]).argParser(oneOf(["01", "11"])))
    .addOption(
      new Option("--encoding <type>", "input encoding").choices(["none", "positional", "gaussian"]).argParser(oneOf(["none", "positional", "gaussian"])),
    )
    .option("--frequencies <L>", "positional encoding: number of frequencies", integer(1))
    .option("--sigma <s>", "Gaussian Fourier features: standard deviation of B", positiveNumber)
    .option("--width <n>", "units per hidden layer", integer(1))
    .option("--depth <n>", "number of hidden layers", integer(1))
    .option("--epochs <n>", "passes over the image (0 writes the initialised model)", integer(0))
    .option("--batch-size <n>", "samples per Adam step", integer(1))
    .option("--lr <x>", "Adam learning rate", positiveNumber)
    .option("--decay-every <n>", "multiply the learning rate by --decay-factor every n epochs (0: never)", integer(0))
    .option("--decay-factor <f>", "learning-rate decay factor", positiveNumber)
    .option("--seed <n>", "seed of weights, encodings and shuffles", integer(0))
    .addOption(sizeOption())
    .option("--snapshots <list>", "epochs after which to save epoch-NNNN.png (default: 5%, 25%, 50%, 100% of the run)", epochList)
    .addOption(backendOption())
    .addOption(threadsOption())
    .option("--out <dir>", "output folder (default: runs/train-<time>)")
    .option("--json", "print the run summary as one JSON line on stdout")
    .option("--resume <dir>", "continue the run in <dir> exactly where it stopped; with --epochs N, train a run (finished or not) to N epochs in all")
    .option("--force", "replace another run's files in --out (otherwise a new run refuses such a folder)")
    .addOption(
      new Option("--checkpoint-every <minutes>", "write checkpoint.safetensors after this many minutes of training (0: only when stopped and at the end)")
        .argParser(nonNegativeNumber)
        .default(CHECKPOINT_EVERY_MINUTES),
    )
    .addOption(maxPixels())
    .addOption(maxMemoryOption())
    .addOption(storedInputs())
    .action(async (flags: TrainFlags, command: Command) => {
      const given = new Set(Object.keys(flags).filter((key) => command.getOptionValueSource(key) === "cli"));
      code = await train(flags, given, version);
    });

  program
    .command("demo")
    .description("the study's lesson in one command: ReLU and positional encoding trained side by side, PSNRs printed, strip.png written")
    .addOption(imageOption())
    .addOption(new Option("--size <WxH>", "resample the image to this size first").argParser(size).default({ width: 256, height: 256 }, "256x256"))
    .option("--epochs <n>", "epochs per network", integer(1), 30)
    .option("--seed <n>", "seed of both networks", integer(0), 0)
    .addOption(backendOption())
    .option("--out <dir>", "output folder", join("runs", "demo"))
    .addOption(maxPixels())
    .action(async (flags: DemoFlags) => {
      code = await demo(flags);
    });

  program
    .command("paper")
    .description("run every preset of the study (and beyond) on one image and write results.json, report.md and report.html")
    .addOption(imageOption())
    .option("--epochs <n>", "epochs per preset", integer(1), 200)
    .addOption(sizeOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .option("--out <dir>", "output folder", "paper")
    .option("--presets <list>", "comma-separated subset of presets (default: all)")
    .option("--seeds <k>", "train each preset from seeds 0 … k−1; the table shows mean ± sd", integer(1), 3)
    .option("--compare <file>", "put another implementation's results (scripts/torch_paper.py) beside coordnet's")
    .addOption(maxPixels())
    .addOption(maxMemoryOption())
    .addOption(storedInputs())
    .action(async (flags: PaperFlags) => {
      code = await paper(flags, version);
    });

  program
    .command("render")
    .description("render a trained model at any resolution")
    .argument("<model>", "a model.safetensors written by coordnet train")
    .requiredOption("--size <WxH>", "output size", size)
    .requiredOption("--out <png>", "output PNG")
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(maxPixels())
    .addOption(maxMemoryOption())
    .action(async (model: string, flags: RenderFlags) => {
      code = await render(model, flags);
    });

  program
    .command("info")
    .description("print the version and which backends can run here (and why others cannot)")
    .action(async () => {
      code = await info(version);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    await releaseWebGPU().catch(() => {});
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (process.env.COORDNET_DEBUG) console.error(e);
    // one line, however long the message (coordnet's own are already cut; anything else is cut here)
    const message = oneLine(String((e as Error)?.message ?? e).split("\n")[0]);
    if (e instanceof ConfigError) console.error(`coordnet: invalid config: ${message}`);
    else if (e instanceof DivergenceError) console.error(`coordnet: ${message} (--lr)`);
    else if (!(e instanceof CoordnetError) && typeof (e as NodeJS.ErrnoException).path === "string")
      // a file-system error that escaped its own message: the file, and the reason in words
      console.error(oneLine(`coordnet: cannot ${(e as NodeJS.ErrnoException).syscall ?? "use"} ${(e as NodeJS.ErrnoException).path}: ${fsReason(e)}`));
    else console.error(`coordnet: ${message}`);
    // coordnet's own errors say how to exit (2: bad input, 1: the work failed); anything else is a failure
    return e instanceof CoordnetError ? e.exitCode : EXIT_FAILURE;
  }
}
