/**
 * @module
 * `coordnet sweep`: the Gaussian Fourier features' σ swept with held-out pixels — train and test
 * PSNR per σ, `sweep.json`, `sweep.svg` and `sweep.html`.
 *
 * A command of its own rather than a `paper` option: `paper` compares the study's presets over
 * seeds and judges its claims; a sweep varies one setting of one preset and asks one question
 * (which σ generalises), answered by its own chart.
 */

import { join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import { applyOverrides, type Holdout } from "../../config.js";
import { runSweep, SWEEP_SIGMAS, sigmaDir } from "../../experiments/sweep.js";
import { checkOutputPath } from "../../io/atomic.js";
import { refuseInputsAmongOutputs } from "../../io/out-dir.js";
import { checkPixels } from "../../limits.js";
import { loadPreset } from "../../presets.js";
import { holdout, integer, UsageError } from "../options.js";
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

/** What `sweep` writes at the top of its folder (each σ's run writes into `sigma-S/`). */
const SWEEP_OUTPUTS = ["source.png", "sweep.json", "sweep.svg", "sweep.html"];

interface SweepFlags {
  image?: string;
  preset: string;
  sigma: number[];
  holdout: Holdout;
  epochs?: number;
  seed?: number;
  size?: { width: number; height: number };
  backend: string;
  out: string;
  maxPixels: number;
  maxMemory: number;
  storedInputs: number;
}

/**
 * Commander argument parser for `--sigma 1,3,10`: positive numbers, each once.
 *
 * @example
 * ```ts
 * sigmaList("1,3,10"); // [1, 3, 10]
 * ```
 */
export function sigmaList(value: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  const sigmas = parts.map(Number);
  if (parts.some((s) => s === "") || sigmas.some((n) => !Number.isFinite(n) || n <= 0))
    throw new InvalidArgumentError("must be a comma-separated list of numbers > 0, e.g. 1,3,10,30,100");
  if (new Set(sigmas).size !== sigmas.length) throw new InvalidArgumentError("lists a σ more than once");
  return sigmas;
}

async function sweep(flags: SweepFlags, version: string): Promise<number> {
  if (flags.out === "") throw new UsageError("--out is empty: name a folder");
  const base = loadPreset(flags.preset).config;
  const config = applyOverrides(base, { epochs: flags.epochs, seed: flags.seed });
  if (config.encoding.type !== "gaussian")
    throw new UsageError(`--preset ${flags.preset} uses the ${config.encoding.type} encoding; a σ sweep needs a gaussian one (e.g. --preset gaussian)`);
  if (flags.size !== undefined) checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  const { image, source } = loadImage(flags.image, flags.maxPixels, flags.size);
  const inputs = source === "default" ? [] : [source];
  const outputs = [...SWEEP_OUTPUTS, ...flags.sigma.map((s) => join(sigmaDir(s), "run.json"))].map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, inputs);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  // every σ has the same shape: one estimate covers them all (the holdout's split included)
  checkTraining({ ...config, training: { ...config.training, holdout: flags.holdout } }, backend, image.width, image.height, {
    maxPixels: flags.maxPixels,
    maxMiB: flags.maxMemory,
    storedInputsMaxBytes: flags.storedInputs * 2 ** 20,
  });
  const interrupt = interruptFlag();
  const bar = progressBar(true);
  try {
    const result = await runSweep({
      image,
      imageSource: source,
      config,
      sigmas: flags.sigma,
      holdout: flags.holdout,
      backend,
      outDir: flags.out,
      version,
      inputs,
      shouldStop: interrupt.stopped,
      storedInputsMaxBytes: flags.storedInputs * 2 ** 20,
      onRun: (sigma, index, count, action) => {
        bar.stop();
        bar.label(`[${index + 1}/${count}] σ = ${sigma} `);
        if (action !== "run")
          process.stderr.write(`[${index + 1}/${count}] σ = ${sigma}: ${action === "skip" ? "already complete, kept" : "resuming from its checkpoint"}\n`);
      },
      onProgress: bar.update,
    });
    bar.stop();
    if (result.status === "interrupted") {
      process.stderr.write(`coordnet: interrupted; rerun the same command to continue (completed σ are kept)\n`);
      return interrupt.code();
    }
    for (const p of result.points)
      console.log(
        `σ = ${String(p.sigma).padEnd(6)} train PSNR ${p.trainPsnr.toFixed(2)} dB  test PSNR ${p.testPsnr.toFixed(2)} dB  gap ${(p.trainPsnr - p.testPsnr).toFixed(2)} dB  ${p.seconds.toFixed(1)} s`,
      );
    const best = result.best;
    if (best !== null) console.log(`highest test PSNR at σ = ${best.sigma}${best.interior ? "" : " (an end of the range tried)"}`);
    console.log(`sweep: ${join(flags.out, "sweep.html")}`);
    return 0;
  } finally {
    bar.stop();
    interrupt.dispose();
  }
}

/** Register `coordnet sweep` on `program`. */
export function registerSweep(program: Command, ctx: CommandContext): void {
  program
    .command("sweep")
    .description("train a Gaussian Fourier-feature preset at several σ with held-out pixels; write sweep.json, sweep.svg and sweep.html")
    .addOption(imageOption())
    .option("--preset <name>", "the preset to sweep (a gaussian encoding)", "gaussian")
    .addOption(new Option("--sigma <list>", "comma-separated σ values").argParser(sigmaList).default(SWEEP_SIGMAS, SWEEP_SIGMAS.join(",")))
    .option("--holdout <every-other|F>", "pixels held out of every run: every-other (Tancik et al.) or a fraction F in (0,1)", holdout, "every-other")
    .option("--epochs <n>", "epochs per σ (default: the preset's)", integer(1))
    .option("--seed <n>", "seed of weights, features, shuffles and a random holdout", integer(0))
    .addOption(sizeOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .option("--out <dir>", "output folder", "sweep")
    .addOption(maxPixelsOption())
    .addOption(maxMemoryOption())
    .addOption(storedInputsOption())
    .action(async (flags: SweepFlags) => {
      ctx.setCode(await sweep(flags, ctx.version));
    });
}
