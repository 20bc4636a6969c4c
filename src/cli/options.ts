/**
 * @module
 * Turning command-line flags into a config, with one-line errors.
 */

import { InvalidArgumentError } from "commander";
import { applyOverrides, type Config, type ConfigOverrides, type Holdout } from "../config.js";
import { CoordnetError } from "../errors.js";
import { READ_LIMITS, readBoundedText } from "../io/read.js";
import { parseJson } from "../json.js";
import { loadPreset } from "../presets.js";
import { didYouMean } from "../suggest.js";

/**
 * A bad command line (exit code 2).
 *
 * @example
 * ```ts
 * throw new UsageError("use --preset or --config, not both");
 * ```
 */
export class UsageError extends CoordnetError {}

/**
 * Commander argument parser for an integer ≥ `min` (and ≤ `max`, where given).
 *
 * @example
 * ```ts
 * program.option("--width <n>", "units per layer", integer(1));
 * ```
 */
export function integer(min: number, max?: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max))
      throw new InvalidArgumentError(max === undefined ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`);
    return n;
  };
}

/**
 * Commander argument parser for one of `choices` (what `.choices()` checks, with "did you mean …?"
 * for a misspelt one). Set `.choices(choices)` as well, for the help's list.
 *
 * @example
 * ```ts
 * new Option("--encoding <type>").choices(TYPES).argParser(oneOf(TYPES));
 * ```
 */
export function oneOf(choices: readonly string[]): (value: string) => string {
  return (value) => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(", ")}${didYouMean(value, choices)}.`);
    return value;
  };
}

/**
 * Commander argument parser for a finite number > 0.
 *
 * @example
 * ```ts
 * program.option("--lr <x>", "learning rate", positiveNumber);
 * ```
 */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a number > 0");
  return n;
}

/**
 * Commander argument parser for a finite number ≥ 0.
 *
 * @example
 * ```ts
 * program.option("--checkpoint-every <minutes>", "minutes between checkpoints", nonNegativeNumber);
 * ```
 */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number ≥ 0");
  return n;
}

/**
 * Commander argument parser for `--holdout`: `every-other` (a misspelt one gets "did you mean …?")
 * or a fraction of the pixels in (0, 1).
 *
 * @example
 * ```ts
 * holdout("every-other"); // "every-other"
 * holdout("0.1"); // 0.1
 * ```
 */
export function holdout(value: string): Holdout {
  if (value === "every-other") return value;
  const n = Number(value);
  if (value.trim() === "" || !/^[\d.eE+-]+$/.test(value.trim()) || !Number.isFinite(n))
    throw new InvalidArgumentError(`must be every-other or a fraction of the pixels in (0, 1), e.g. 0.1${didYouMean(value, ["every-other"])}`);
  if (n <= 0 || n >= 1) throw new InvalidArgumentError("a fraction of the pixels must be above 0 and below 1, e.g. 0.1");
  return n;
}

/**
 * Commander argument parser for `WxH`.
 *
 * @example
 * ```ts
 * size("128x64"); // { width: 128, height: 64 }
 * ```
 */
export function size(value: string): { width: number; height: number } {
  const m = /^(\d+)[xX×](\d+)$/.exec(value.trim());
  const width = m ? Number(m[1]) : 0;
  const height = m ? Number(m[2]) : 0;
  if (!m) throw new InvalidArgumentError("must be WIDTHxHEIGHT, e.g. 128x128");
  // the form is right: say what is wrong with the numbers
  if (width < 1 || height < 1) throw new InvalidArgumentError("the width and the height must be at least 1 pixel");
  if (width > 65536 || height > 65536) throw new InvalidArgumentError("the width and the height must be at most 65536 pixels");
  return { width, height };
}

/**
 * Commander argument parser for a comma-separated list of epochs.
 *
 * @example
 * ```ts
 * epochList("10,50,100,200"); // [10, 50, 100, 200]
 * ```
 */
export function epochList(value: string): number[] {
  if (value.trim() === "") return [];
  return value.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a comma-separated list of epochs ≥ 1, e.g. 10,50,100,200");
    return n;
  });
}

/** The flags of `coordnet train` that shape the config. */
export interface ConfigFlags {
  /** preset name */
  preset?: string;
  /** path of a JSON config */
  config?: string;
  /** hidden activation */
  activation?: string;
  /** `sigmoid` or `none` */
  outputActivation?: string;
  /** `01` or `11` */
  range?: string;
  /** `none`, `positional` or `gaussian` */
  encoding?: string;
  /** positional L */
  frequencies?: number;
  /** Gaussian σ */
  sigma?: number;
  /** hidden width */
  width?: number;
  /** hidden layers */
  depth?: number;
  /** epochs */
  epochs?: number;
  /** batch size */
  batchSize?: number;
  /** learning rate */
  lr?: number;
  /** schedule period, 0 = off */
  decayEvery?: number;
  /** schedule factor */
  decayFactor?: number;
  /** seed */
  seed?: number;
  /** held-out pixels: `every-other` or a fraction */
  holdout?: Holdout;
}

/** A config file: a regular file of at most 1 MiB, JSON nested at most MAX_JSON_DEPTH deep. */
function readConfigFile(path: string): unknown {
  const text = readBoundedText(path, "config", READ_LIMITS.config);
  return parseJson(text, (reason) => new UsageError(`--config ${path}: config ${reason}`));
}

/**
 * Build the resolved config: a preset or config file (or the defaults), then each flag on top.
 *
 * @throws {@link UsageError} or {@link ConfigError} with one readable line
 *
 * @example
 * ```ts
 * configFromFlags({ preset: "positional", epochs: 10 });
 * ```
 */
export function configFromFlags(flags: ConfigFlags): Config {
  if (flags.preset !== undefined && flags.config !== undefined) throw new UsageError("use --preset or --config, not both");
  const base: unknown = flags.preset !== undefined ? loadPreset(flags.preset).config : flags.config !== undefined ? readConfigFile(flags.config) : {};
  const encoding = flags.encoding ?? (isObject(base) && isObject(base.encoding) ? base.encoding.type : undefined) ?? "none";
  if (flags.frequencies !== undefined && encoding !== "positional") throw new UsageError("--frequencies applies to --encoding positional");
  if (flags.sigma !== undefined && encoding !== "gaussian" && encoding !== "sape")
    throw new UsageError("--sigma applies to --encoding gaussian (and --preset sape)");
  return applyOverrides(base, flags as ConfigOverrides);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/**
 * Apply `--threads`: it sets `COORDNET_THREADS`, which CPU backends read when they create a
 * trainer (so the flag wins over the variable); without the flag, the variable must be an
 * integer ≥ 1 if set.
 *
 * @example
 * ```ts
 * useThreads(flags.threads); // before any trainer is created
 * ```
 */
export function useThreads(threads: number | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (threads !== undefined) {
    env.COORDNET_THREADS = String(threads);
    return;
  }
  const value = env.COORDNET_THREADS;
  if (value !== undefined && value.trim() !== "" && !(/^\d+$/.test(value.trim()) && Number(value) >= 1))
    throw new UsageError(`COORDNET_THREADS must be an integer ≥ 1, got "${value}"`);
}
