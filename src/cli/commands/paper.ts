/**
 * @module
 * `coordnet paper`: every preset of the study (and beyond) on one image, with its report.
 */

import { join } from "node:path";
import type { Command } from "commander";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import type { Holdout } from "../../config.js";
import { quote } from "../../errors.js";
import { runPaper } from "../../experiments/paper.js";
import type { RGBImage } from "../../image/index.js";
import { checkOutputPath } from "../../io/atomic.js";
import { refuseInputsAmongOutputs } from "../../io/out-dir.js";
import { READ_LIMITS, readBoundedText } from "../../io/read.js";
import { checkPixels } from "../../limits.js";
import { loadPreset, PAPER_PRESETS, presetNames } from "../../presets.js";
import { type Comparison, parseComparison } from "../../report/comparison.js";
import { presetStats } from "../../report/statistics.js";
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

/** What `paper` writes at the top of its folder (each run writes into `PRESET/seed-N/`). */
const PAPER_OUTPUTS = ["source.png", "results.json", "report.md", "report.html", "spectrum-image.svg"];

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
  holdout?: Holdout;
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
  // each (preset, seed) run's folder too: a file in its place is refused now, not after the presets before it trained
  const runFiles = presets.flatMap((name) => Array.from({ length: flags.seeds }, (_, seed) => join(name, `seed-${seed}`, "run.json")));
  const outputs = [...PAPER_OUTPUTS, ...runFiles].map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, inputs);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  const limits = { maxPixels: flags.maxPixels, maxMiB: flags.maxMemory, storedInputsMaxBytes: flags.storedInputs * 2 ** 20 };
  for (const name of presets) {
    const { config } = loadPreset(name);
    checkTraining(
      flags.holdout === undefined ? config : { ...config, training: { ...config.training, holdout: flags.holdout } },
      backend,
      image.width,
      image.height,
      limits,
    );
  }
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
      holdout: flags.holdout,
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
        `${s.name.padEnd(15)} PSNR ${s.psnr?.mean.toFixed(2)}${s.psnr?.sd != null ? ` ± ${s.psnr.sd.toFixed(2)}` : ""} dB${s.testPsnr == null ? "" : ` (test ${s.testPsnr.mean.toFixed(2)}${s.testPsnr.sd != null ? ` ± ${s.testPsnr.sd.toFixed(2)}` : ""} dB)`}  MSE ${s.mse?.mean.toFixed(5)}  ${s.seeds.length} seed${s.seeds.length > 1 ? "s" : ""}, ${s.seconds.toFixed(1)} s each`,
      );
    console.log(`report: ${join(flags.out, "report.html")}`);
    return 0;
  } finally {
    bar.stop();
    interrupt.dispose();
  }
}

/** Register `coordnet paper` on `program`. */
export function registerPaper(program: Command, ctx: CommandContext): void {
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
    .option("--holdout <every-other|F>", "hold pixels out of every run and add a generalisation table (train and test PSNR, gap)", holdout)
    .addOption(maxPixelsOption())
    .addOption(maxMemoryOption())
    .addOption(storedInputsOption())
    .action(async (flags: PaperFlags) => {
      ctx.setCode(await paper(flags, ctx.version));
    });
}
