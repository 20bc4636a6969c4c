/**
 * @module
 * What `coordnet spectrum` and `coordnet ntk` share: the `--inputs` list and a progress bar counted
 * in steps (epochs, kernels).
 */

import cliProgress from "cli-progress";
import { InvalidArgumentError, Option } from "commander";
import { INPUT_KINDS, type InputKind } from "../analysis/kinds.js";

/** The most epochs the analyses train (signalSpectrum, imageSpectrum, ntkSpectra refuse more): refused by the parser, before any output. */
export const MAX_EPOCHS = 100_000;

/** The largest seed (2³² − 1), as the analyses and the config take it. */
export const MAX_SEED = 0xffffffff;

/** Commander parser for `--inputs raw,positional,…`: known kinds, each once. */
export function inputKinds(value: string): InputKind[] {
  const kinds = value.split(",").map((k) => k.trim());
  for (const k of kinds)
    if (!(INPUT_KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`unknown input kind '${k}'; kinds: ${INPUT_KINDS.join(", ")}`);
  if (new Set(kinds).size !== kinds.length) throw new InvalidArgumentError(`each input kind once, got ${value}`);
  return kinds as InputKind[];
}

/** `--inputs`: the input kinds to compare. */
export const inputsOption = () =>
  new Option("--inputs <list>", `comma-separated input kinds among ${INPUT_KINDS.join(", ")}`)
    .argParser(inputKinds)
    .default([...INPUT_KINDS], INPUT_KINDS.join(","));

/** A progress bar on a terminal counted in `unit`; nothing in a pipe. */
export function stepBar(unit: string): { update: (done: number, total: number, label: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `{label} {bar} {value}/{total} ${unit} | ETA {eta_formatted}`, hideCursor: true, fps: 5, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total, label) => {
      if (!started) {
        bar.start(total, 0, { label });
        started = true;
      }
      bar.update(done, { label });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
