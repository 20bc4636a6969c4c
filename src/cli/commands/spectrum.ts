/**
 * @module
 * `coordnet spectrum`: spectral bias over training, for the 1-D sines and for the image, per input
 * kind; writes spectrum.json and two heatmaps.
 */

import { join } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import type { InputKind } from "../../analysis/kinds.js";
import { imageSpectrum, type SpectrumMatrix, signalSpectrum } from "../../analysis/spectrum.js";
import { requireBackend, resolveBackendName } from "../../backends/index.js";
import { checkOutputPath, writeFileAtomic } from "../../io/atomic.js";
import { inLockedFolder, refuseInputsAmongOutputs } from "../../io/out-dir.js";
import { checkPixels } from "../../limits.js";
import { spectrumHeatmap } from "../../plot/analysis-charts.js";
import { inputsOption, MAX_EPOCHS, MAX_SEED, stepBar } from "../analysis.js";
import { integer, size, UsageError } from "../options.js";
import { backendOption, type CommandContext, imageOption, loadImage, maxPixelsOption, threadsOption } from "../shared.js";

/** The files `coordnet spectrum` writes. */
export const SPECTRUM_OUTPUTS = ["spectrum.json", "spectrum-signal.svg", "spectrum-image.svg"];

/** The largest side `--size` takes: the plain 2-D DFT costs W·H·(W + H) per channel and epoch. */
const MAX_SIDE = 256;

interface SpectrumFlags {
  image?: string;
  size: { width: number; height: number };
  epochs: number;
  signalEpochs: number;
  inputs: InputKind[];
  backend: string;
  seed: number;
  out: string;
  maxPixels: number;
}

/** "2 (24) 4 (43) … 20 (–)": each row and the epoch it was learnt. */
function ladder(rows: string[], m: SpectrumMatrix): string {
  return rows.map((r, i) => `${r}:${m.learnedAt[i] ?? "–"}`).join(" ");
}

async function spectrum(flags: SpectrumFlags): Promise<number> {
  const { width, height } = flags.size;
  if (width > MAX_SIDE || height > MAX_SIDE) throw new UsageError(`--size ${width}x${height}: the spectrum's plain DFT takes sides up to ${MAX_SIDE}`);
  checkPixels("--size", width, height, flags.maxPixels);
  if (flags.out === "") throw new UsageError("--out is empty: name a folder");
  const { image, source } = loadImage(flags.image, flags.maxPixels, flags.size);
  const outputs = SPECTRUM_OUTPUTS.map((name) => join(flags.out, name));
  refuseInputsAmongOutputs(outputs, source === "default" ? [] : [source]);
  for (const output of outputs) checkOutputPath(output);
  const backend = await resolveBackendName(flags.backend);
  await requireBackend(backend);
  // the folder is this run's until its files are written, as paper's and sweep's are: a second
  // run into it is refused (exit 2) before it prints anything, and the two never interleave
  await inLockedFolder(flags.out, async () => {
    const kinds = flags.inputs;
    const total = kinds.length * (flags.signalEpochs + flags.epochs);
    let done = 0;
    const bar = stepBar("epochs");
    const onEpoch = (what: string) => (kind: InputKind, epoch: number, epochs: number) => {
      done++;
      bar.update(done, total, `${what}, ${kind} ${epoch}/${epochs}`);
    };
    console.log(
      `Spectral bias on ${backend}, seed ${flags.seed}: the 1-D sines (${flags.signalEpochs} epochs) and ${source === "default" ? "the built-in photograph" : source} at ${width}×${height} (${flags.epochs} epochs), for ${kinds.join(", ")}`,
    );
    let signal: Awaited<ReturnType<typeof signalSpectrum>>;
    let img: Awaited<ReturnType<typeof imageSpectrum>>;
    try {
      signal = await signalSpectrum({ kinds, epochs: flags.signalEpochs, backend, seed: flags.seed, onEpoch: onEpoch("1-D") });
      img = await imageSpectrum(image, { kinds, epochs: flags.epochs, backend, seed: flags.seed, onEpoch: onEpoch("image") });
    } finally {
      bar.stop();
    }
    const frequencies = signal.frequencies.map(String);
    const bands = img.bands.map((b) => `${b.from.toFixed(3)}–${b.to.toFixed(3)}`);
    const signalSvg = await spectrumHeatmap(signal.inputs, frequencies, "frequency (cycles over [0, 1))", "1-D sines: error at each frequency / its amplitude");
    const imageSvg = await spectrumHeatmap(
      img.inputs,
      bands,
      "radial band (cycles per pixel)",
      `${width}×${height} image: error in each frequency band / the image's own`,
    );
    // signal: the 1-D sines; image: the photograph's bands (source: where it came from)
    const record = { source: { image: source, width, height }, seed: flags.seed, backend, signal, image: img };
    writeFileAtomic(join(flags.out, "spectrum.json"), `${JSON.stringify(record, null, 2)}\n`);
    writeFileAtomic(join(flags.out, "spectrum-signal.svg"), signalSvg);
    writeFileAtomic(join(flags.out, "spectrum-image.svg"), imageSvg);
    console.log(`Epoch at which each frequency's error fell below ${signal.threshold} of its amplitude (– never):`);
    for (const kind of kinds) console.log(`  1-D   ${kind.padEnd(10)} ${ladder(frequencies, signal.inputs[kind] as SpectrumMatrix)}`);
    for (const kind of kinds) console.log(`  image ${kind.padEnd(10)} ${ladder(bands, img.inputs[kind] as SpectrumMatrix)}`);
    console.log(`→ ${join(flags.out, "spectrum.json")}, spectrum-signal.svg, spectrum-image.svg`);
  });
  return 0;
}

/** Register `coordnet spectrum` on `program`. */
export function registerSpectrum(program: Command, ctx: CommandContext): void {
  program
    .command("spectrum")
    .description("spectral bias over training: each frequency's error after each epoch, for 1-D sines and the image; writes spectrum.json and heatmaps")
    .addOption(imageOption())
    .addOption(new Option("--size <WxH>", "resample the image to this size first").argParser(size).default({ width: 64, height: 64 }, "64x64"))
    .option("--epochs <n>", "epochs on the image", integer(1, MAX_EPOCHS), 30)
    .option("--signal-epochs <n>", "epochs on the 1-D sines", integer(1, MAX_EPOCHS), 200)
    .addOption(inputsOption())
    .option("--seed <n>", "seed of weights, encodings, shuffles and the sines' phases", integer(0, MAX_SEED), 0)
    .addOption(backendOption())
    .addOption(threadsOption())
    .option("--out <dir>", "output folder", join("runs", "spectrum"))
    .addOption(maxPixelsOption())
    .action(async (flags: SpectrumFlags) => {
      ctx.setCode(await spectrum(flags));
    });
}
