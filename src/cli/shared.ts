/**
 * @module
 * What every command shares: stopping on a signal, progress bars, reading the image to learn, the
 * options several commands take, and the context a command is registered with.
 */

import { constants } from "node:os";
import { resolve } from "node:path";
import cliProgress from "cli-progress";
import { Option } from "commander";
import { STORED_INPUTS_MAX_BYTES } from "../encoding/index.js";
import { DEFAULT_IMAGE, DEFAULT_MAX_PIXELS, type RGBImage, readPNG, resample } from "../image/index.js";
import type { Progress } from "../training/runner.js";
import { integer, size, UsageError } from "./options.js";

/** What a command's module is given when it registers its command. */
export interface CommandContext {
  /** The package's version, recorded in run records and reports. */
  version: string;
  /** Set the process exit code the command finished with. */
  setCode: (code: number) => void;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ctrl-C, SIGTERM (`timeout`, `docker stop`, systemd) and SIGHUP (the terminal closed): the first
 * asks the run to stop after the current batch and write its checkpoint; a second one exits at
 * once. The exit code is 128 + the signal's number, as a shell reports a process killed by it.
 */
export function interruptFlag(): { stopped: () => boolean; code: () => number; dispose: () => void } {
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
export function renderBar(enabled: boolean): { update: (done: number, total: number) => void; stop: () => void } {
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
export function progressBar(enabled: boolean): { update: (p: Progress) => void; stop: () => void; label: (text: string) => void } {
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

export function loadImage(path: string | undefined, maxPixels: number, wanted?: { width: number; height: number }): { image: RGBImage; source: string } {
  if (path === "") throw new UsageError("--image is empty: name a PNG file (or leave --image out for the built-in photograph)");
  const file = path === undefined || path === "default" ? DEFAULT_IMAGE : resolve(path);
  const image = readPNG(file, maxPixels);
  return { image: wanted ? resample(image, wanted.width, wanted.height) : image, source: path === undefined || path === "default" ? "default" : file };
}

/** `--image`: the PNG to learn. */
export const imageOption = () => new Option("--image <png>", "PNG to learn (default: the built-in 512×512 astronaut photograph)");
/** `--size WxH`: resample the image first. */
export const sizeOption = () => new Option("--size <WxH>", "resample the image to this size first (area averaging when shrinking)").argParser(size);
/** `--max-pixels`: refuse larger images. */
export const maxPixelsOption = () => new Option("--max-pixels <n>", "refuse images with more pixels").argParser(integer(1)).default(DEFAULT_MAX_PIXELS);
/** `--stored-inputs MiB`: the memory for encoded inputs kept whole. */
export const storedInputsOption = () =>
  new Option("--stored-inputs <MiB>", "keep encoded inputs in memory up to this size; wider encodings are encoded batch by batch (slower, less memory)")
    .argParser(integer(0))
    .default(STORED_INPUTS_MAX_BYTES / 2 ** 20);
/** `--backend`: where to train. */
export const backendOption = () => new Option("--backend <name>", "backend to run on (auto: the fastest that runs here)").default("auto");
/** `--threads`: the wasm backend's threads. */
export const threadsOption = () =>
  new Option("--threads <n>", "threads of the wasm backend (default: $COORDNET_THREADS, else the cores Node reports)").argParser(integer(1));
