/**
 * @module
 * Another implementation's results on the same presets (`coordnet paper --compare`), as
 * `scripts/torch_paper.py` writes them, read and checked.
 */

import { CoordnetError } from "../errors.js";
import { parseJson } from "../json.js";

/** Another implementation's results on the same image and presets (`coordnet paper --compare`). */
export interface Comparison {
  /** its name for the table, e.g. "PyTorch 1.13.0" */
  readonly label: string;
  /** the file it was read from */
  readonly source: string;
  /** the training size it ran at */
  readonly width: number;
  /** the training size it ran at */
  readonly height: number;
  /** epochs per run */
  readonly epochs: number;
  /** one entry per (preset, seed) run */
  readonly runs: readonly ComparisonRun[];
}

/** One run of the other implementation. */
export interface ComparisonRun {
  /** preset name */
  readonly name: string;
  /** seed (the other implementation's own random streams) */
  readonly seed: number;
  /** full-image MSE, predictions clamped to [0, 1] */
  readonly mse: number;
  /** PSNR in dB */
  readonly psnr: number;
}

/**
 * Read a results file written by `scripts/torch_paper.py` (or anything of the same shape:
 * `{ label, width, height, epochs, runs: [{ name, seed, mse, psnr }] }`).
 *
 * @throws CoordnetError (exit code 2) naming the file and what is wrong with it
 *
 * @example
 * ```ts
 * const torch = parseComparison(readFileSync("torch.json", "utf8"), "torch.json");
 * ```
 */
export function parseComparison(text: string, source: string): Comparison {
  const bad = (what: string) => new CoordnetError(`${source}: ${what} (expected the JSON written by scripts/torch_paper.py)`);
  const data = parseJson(text, (reason) => bad(reason.replace(/^is not valid JSON/, "not JSON").replace(/^is /, "")));
  const o = data as Record<string, unknown>;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw bad("not a JSON object");
  const posInt = (k: string) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw bad(`"${k}" must be a positive integer`);
    return v;
  };
  if (typeof o.label !== "string" || o.label === "") throw bad(`"label" must be a non-empty string`);
  if (!Array.isArray(o.runs) || o.runs.length === 0) throw bad(`"runs" must be a non-empty array`);
  const runs = o.runs.map((r: unknown, i: number) => {
    const x = r as Record<string, unknown>;
    const ok =
      x !== null &&
      typeof x === "object" &&
      typeof x.name === "string" &&
      Number.isInteger(x.seed) &&
      typeof x.mse === "number" &&
      Number.isFinite(x.mse) &&
      typeof x.psnr === "number" &&
      Number.isFinite(x.psnr);
    if (!ok) throw bad(`runs[${i}] needs a string "name", an integer "seed" and finite "mse" and "psnr"`);
    return { name: x.name as string, seed: x.seed as number, mse: x.mse as number, psnr: x.psnr as number };
  });
  return { label: o.label, source, width: posInt("width"), height: posInt("height"), epochs: posInt("epochs"), runs };
}
