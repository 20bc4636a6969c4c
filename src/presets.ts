/**
 * @module
 * Experiment presets: checked-in JSON files under `presets/`, one per row of the study's table
 * (and the rows beyond it). Each holds a name, a title, a note on its choices, and a config. They
 * are compiled in (`src/preset-data.ts`, made from the files at build time), so presets work
 * where there is no file system.
 */

import { type Config, ConfigError, parseConfig } from "./config.js";
import { oneLine, quote } from "./errors.js";
import { PRESET_FILES } from "./preset-data.js";
import { didYouMean } from "./suggest.js";

/**
 * A preset: a named, documented config.
 *
 * @group Configs and presets
 */
export interface Preset {
  /** short name, used on the command line and as a folder name */
  readonly name: string;
  /** title for tables and figures */
  readonly title: string;
  /** `study` for the study's rows, `beyond` for the follow-ups */
  readonly group: "study" | "beyond";
  /** what the preset is and why its settings are what they are */
  readonly note: string;
  /** the resolved config */
  readonly config: Config;
}

/**
 * The presets in the study's order: its seven rows, then the ones beyond it.
 *
 * @example
 * ```ts
 * PAPER_PRESETS[0]; // "relu-sigmoid"
 * ```
 *
 * @group Configs and presets
 */
export const PAPER_PRESETS = [
  "relu-sigmoid",
  "relu-linear",
  "relu-range11",
  "gelu",
  "elu",
  "tanh",
  "positional",
  "positional-l10",
  "gaussian",
  "siren",
  "sape",
] as const;

/**
 * Names of every preset file.
 *
 * @example
 * ```ts
 * presetNames().includes("siren"); // true
 * ```
 *
 * @group Configs and presets
 */
export function presetNames(): string[] {
  return Object.keys(PRESET_FILES).sort();
}

/**
 * Load and validate one preset.
 *
 * @throws Error `unknown preset 'x'; available: …`, or a {@link ConfigError} naming the file
 *
 * @example
 * ```ts
 * const preset = loadPreset("positional");
 * preset.config.encoding.type; // "positional"
 * ```
 *
 * @group Configs and presets
 */
export function loadPreset(name: string): Preset {
  const names = presetNames();
  if (typeof name !== "string") throw new ConfigError([`a preset name must be a string such as "positional", got ${quote(name)}`]);
  if (!names.includes(name)) throw new ConfigError([`unknown preset '${oneLine(name, 60)}'${didYouMean(name, names)}; available: ${names.join(", ")}`]);
  const raw = PRESET_FILES[name] as Omit<Preset, "config"> & { config: unknown };
  try {
    return { name: raw.name, title: raw.title, group: raw.group, note: raw.note, config: parseConfig(raw.config) };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => `preset ${name}: ${i}`));
    throw e;
  }
}
