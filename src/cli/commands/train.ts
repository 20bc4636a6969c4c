/**
 * @module
 * `coordnet train`: train one network on one image, write its run folder, resume it after a stop.
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import { applyOverrides, type Config, OVERRIDE_KEYS } from "../../config.js";
import { snapshotEpochs } from "../../experiments/paper.js";
import { type Checkpoint, loadCheckpoint } from "../../io/model-file.js";
import { checkPixels } from "../../limits.js";
import { ACTIVATION_NAMES } from "../../reference/activations/index.js";
import { imageHash, type RunRecord, runTraining } from "../../training/runner.js";
import { type ConfigFlags, configFromFlags, epochList, holdout, integer, nonNegativeNumber, oneOf, positiveNumber, UsageError } from "../options.js";
import { checkTraining, maxMemoryOption } from "../preflight.js";
import {
  backendOption,
  type CommandContext,
  imageOption,
  interruptFlag,
  loadImage,
  maxPixelsOption,
  progressBar,
  sizeOption,
  storedInputsOption,
  threadsOption,
} from "../shared.js";

/** Minutes of training between two checkpoints unless `--checkpoint-every` says otherwise. */
const CHECKPOINT_EVERY_MINUTES = 5;

function summaryLine(record: RunRecord, outDir: string): string {
  const loss = record.finalLoss === null ? "no epochs" : `loss ${record.finalLoss.toExponential(3)}`;
  const psnr =
    record.testPsnr === null
      ? `MSE ${record.mse?.toExponential(3)}, PSNR ${record.psnr?.toFixed(2)} dB`
      : `train MSE ${record.mse?.toExponential(3)}, PSNR ${record.psnr?.toFixed(2)} dB; test (held-out) MSE ${record.testMse?.toExponential(3)}, PSNR ${record.testPsnr.toFixed(2)} dB`;
  return `${record.history.length} epoch${record.history.length === 1 ? "" : "s"} on ${record.backend.name} in ${record.trainingSeconds.toFixed(1)} s: ${loss}, ${psnr} → ${outDir}`;
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

/** Register `coordnet train` on `program`. */
export function registerTrain(program: Command, ctx: CommandContext): void {
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
    .option(
      "--holdout <every-other|F>",
      "hold pixels out of training and report their PSNR: every-other (train on even x and y, test on the rest) or a fraction F in (0,1) drawn from --seed",
      holdout,
    )
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
    .addOption(maxPixelsOption())
    .addOption(maxMemoryOption())
    .addOption(storedInputsOption())
    .action(async (flags: TrainFlags, command: Command) => {
      const given = new Set(Object.keys(flags).filter((key) => command.getOptionValueSource(key) === "cli"));
      ctx.setCode(await train(flags, given, ctx.version));
    });
}
