/**
 * @module
 * `coordnet ntk`: the empirical NTK of each input kind's network on a 1-D grid and a 16×16 one, at
 * initialisation and after training; writes ntk.json (keyed by input kind) and two figures.
 */

import { join } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import type { InputKind } from "../../analysis/kinds.js";
import { type NtkGrid, ntkSpectra } from "../../analysis/ntk-spectra.js";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import { checkOutputPath, writeFileAtomic } from "../../io/atomic.js";
import { inLockedFolder, refuseInputsAmongOutputs } from "../../io/out-dir.js";
import { checkPixels } from "../../limits.js";
import { eigenvalueChart, eigenvectorChart } from "../../plot/analysis-charts.js";
import { inputsOption, MAX_EPOCHS, MAX_SEED, stepBar } from "../analysis.js";
import { integer, oneOf, size, UsageError } from "../options.js";
import { backendOption, type CommandContext, imageOption, loadImage, maxPixelsOption, threadsOption } from "../shared.js";

/** The files `coordnet ntk` writes. */
export const NTK_OUTPUTS = ["ntk.json", "ntk-eigenvalues.svg", "ntk-eigenvectors.svg"];

interface NtkFlags {
  grid: "1d" | "2d" | "both";
  inputs: InputKind[];
  trainedEpochs: number;
  width?: number;
  image?: string;
  size: { width: number; height: number };
  backend: string;
  seed: number;
  out: string;
  maxPixels: number;
}

/** λ_k/λ₁ at k = 2, 8, 32 (where the grid has them), for the summary lines. */
function decay(eigenvalues: number[]): string {
  return [2, 8, 32]
    .filter((k) => k <= eigenvalues.length)
    .map((k) => `λ${k}/λ1 ${(eigenvalues[k - 1] / eigenvalues[0]).toExponential(1)}`)
    .join("  ");
}

async function ntk(flags: NtkFlags): Promise<number> {
  if (flags.out === "") throw new UsageError("--out is empty: name a folder");
  if (flags.width !== undefined && flags.width > 1024) throw new UsageError(`--width ${flags.width}: at most 1024 units a layer`);
  const grids: NtkGrid[] = flags.grid === "both" ? ["1d", "2d"] : [flags.grid];
  const needsImage = grids.includes("2d") && flags.trainedEpochs > 0;
  // only the 2-D grid's trained kernel reads an image: an --image given otherwise would go unread (and unchecked)
  if (flags.image !== undefined && !needsImage)
    throw new UsageError("--image applies to the 2-D grid's trained kernel only (--grid 2d or both, with --trained-epochs above 0)");
  checkPixels("--size", flags.size.width, flags.size.height, flags.maxPixels);
  const loaded = needsImage ? loadImage(flags.image, flags.maxPixels, flags.size) : null;
  const outputs = NTK_OUTPUTS.map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, loaded === null || loaded.source === "default" ? [] : [loaded.source]);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  // the folder is this run's until its files are written, as paper's and sweep's are: a second
  // run into it is refused (exit 2) before it prints anything, and the two never interleave
  await inLockedFolder(flags.out, async () => {
    const steps = flags.inputs.length * grids.length * (flags.trainedEpochs > 0 ? 2 : 1);
    let done = 0;
    const bar = stepBar("kernels");
    console.log(
      `The empirical NTK of ${flags.inputs.join(", ")} on the ${grids.join(" and ")} grid${grids.length > 1 ? "s" : ""}, at initialisation${flags.trainedEpochs > 0 ? ` and after ${flags.trainedEpochs} epochs on ${backend}` : ""}, seed ${flags.seed}`,
    );
    let result: Awaited<ReturnType<typeof ntkSpectra>>;
    try {
      result = await ntkSpectra({
        kinds: flags.inputs,
        grids,
        trainedEpochs: flags.trainedEpochs,
        image: loaded?.image,
        width: flags.width,
        backend,
        seed: flags.seed,
        onStep: (kind, grid, state) => bar.update(++done, steps, `${kind}, ${grid} grid, ${state}`),
      });
    } finally {
      bar.stop();
    }
    const eigenvalues = await eigenvalueChart(result);
    const eigenvectors = await eigenvectorChart(result);
    // keyed by input kind; each kind's own eigenvalues and eigenvectors are its first kernel's (the
    // first grid, at initialisation), every kernel is in `kernels`
    const inputs = Object.fromEntries(
      Object.entries(result.inputs).map(([kind, entry]) => [
        kind,
        { preset: entry?.preset, eigenvalues: entry?.kernels[0].eigenvalues, eigenvectors: entry?.kernels[0].eigenvectors, kernels: entry?.kernels },
      ]),
    );
    const record = {
      grids: result.grids,
      trainedEpochs: result.trainedEpochs,
      kernel: "K(xi, xj) = sum over output channels c of <df_c(xi)/dθ, df_c(xj)/dθ>",
      image: loaded === null ? null : { source: loaded.source, width: flags.size.width, height: flags.size.height },
      seed: flags.seed,
      backend,
      inputs,
    };
    writeFileAtomic(join(flags.out, "ntk.json"), `${JSON.stringify(record, null, 2)}\n`);
    writeFileAtomic(join(flags.out, "ntk-eigenvalues.svg"), eigenvalues);
    writeFileAtomic(join(flags.out, "ntk-eigenvectors.svg"), eigenvectors);
    for (const [kind, entry] of Object.entries(result.inputs))
      for (const k of entry?.kernels ?? []) console.log(`  ${kind.padEnd(10)} ${k.grid} ${k.state.padEnd(7)}  ${decay(k.eigenvalues)}`);
    console.log(`→ ${join(flags.out, "ntk.json")}, ntk-eigenvalues.svg, ntk-eigenvectors.svg`);
  });
  return 0;
}

/** Register `coordnet ntk` on `program`. */
export function registerNtk(program: Command, ctx: CommandContext): void {
  program
    .command("ntk")
    .description("the network's empirical neural tangent kernel per input kind: eigenvalues and leading eigenvectors; writes ntk.json and figures")
    .addOption(
      new Option("--grid <g>", "1d (64 points), 2d (16×16) or both")
        .choices(["1d", "2d", "both"])
        .argParser(oneOf(["1d", "2d", "both"]))
        .default("both"),
    )
    .addOption(inputsOption())
    .option("--trained-epochs <n>", "epochs to train before the second kernel (0: initialisation only)", integer(0, MAX_EPOCHS), 20)
    .option("--width <n>", "units per hidden layer (default: the presets', 128)", integer(1))
    .addOption(imageOption())
    .addOption(
      new Option("--size <WxH>", "the image the 2-D network trains on, resampled to this size").argParser(size).default({ width: 64, height: 64 }, "64x64"),
    )
    .option("--seed <n>", "seed of weights, encodings and shuffles", integer(0, MAX_SEED), 0)
    .addOption(backendOption())
    .addOption(threadsOption())
    .option("--out <dir>", "output folder", join("runs", "ntk"))
    .addOption(maxPixelsOption())
    .action(async (flags: NtkFlags) => {
      ctx.setCode(await ntk(flags));
    });
}
