// ---- options: presets, the form's fields, and the URL that holds them ------------------------
// Every control is a URL parameter, so a set-up can be shared as a link: the page rewrites its URL
// (history.replaceState) whenever a control changes and sets the controls from it on load. The
// train view's names are the scripted mode's (preset, epochs, seed, width, depth, size=WxH, backend).
import { loadPreset, presetNames } from "coordnet";
import { $, field, params, state } from "./dom.js";

/** URL parameter → element id, in the order they are restored (the preset before the fields it sets). */
export const CONTROLS: Record<string, string> = {
  size: "size",
  preset: "preset",
  range: "range",
  encoding: "encoding",
  frequencies: "frequencies",
  sigma: "sigma",
  activation: "activation",
  width: "width",
  depth: "depth",
  lr: "lr",
  batch: "batch",
  epochs: "epochs",
  seed: "seed",
  holdout: "holdout",
  "lesson-epochs": "lesson-epochs",
  zoom: "zoom-factor",
  "sweep-kind": "sweep-kind",
  "sweep-sigma": "sweep-sigma",
  "sweep-l": "sweep-l",
  "verify-a": "verify-a",
  "verify-b": "verify-b",
  "verify-batch": "verify-batch",
  "verify-steps": "verify-steps",
};

/** The preset the train view opens on: the study's best run (the lesson above shows why). */
const FIRST_PRESET = "positional";

const presetSelect = () => $<HTMLSelectElement>("preset");

export function fillPresets(): void {
  const select = presetSelect();
  for (const name of presetNames()) select.add(new Option(`${name} — ${loadPreset(name).title}`, name));
  select.add(new Option("(custom: the fields as set)", ""));
  select.value = FIRST_PRESET;
  applyPreset(FIRST_PRESET);
  select.addEventListener("change", () => applyPreset(select.value));
  for (const id of ["activation", "range", "encoding", "frequencies", "sigma", "width", "depth", "lr", "batch"])
    field(id).addEventListener("change", () => {
      select.value = "";
    });
}

function applyPreset(name: string): void {
  if (name === "") return;
  const { config } = loadPreset(name);
  const enc = config.encoding as { type: string; range: string; frequencies?: number; sigma?: number };
  field("activation").value = config.network.activation;
  field("range").value = enc.range;
  field("encoding").value = enc.type;
  if (enc.frequencies !== undefined) field("frequencies").value = String(enc.frequencies);
  if (enc.sigma !== undefined) field("sigma").value = String(enc.sigma);
  field("width").value = String(config.network.width);
  field("depth").value = String(config.network.depth);
  field("lr").value = String(config.optimizer.lr);
  field("batch").value = String(config.training.batchSize);
}

/** The selected preset, or undefined for "(custom)". */
export function presetChoice(): string | undefined {
  return presetSelect().value === "" ? undefined : presetSelect().value;
}

/** The form's fields as config overrides (on top of the preset). */
export function overrides(): Record<string, unknown> {
  const num = (id: string) => Number(field(id).value);
  const encoding = field("encoding").value;
  return {
    activation: field("activation").value,
    range: field("range").value,
    encoding,
    ...(encoding === "positional" ? { frequencies: num("frequencies") } : {}),
    ...(encoding === "gaussian" ? { sigma: num("sigma") } : {}),
    width: num("width"),
    depth: num("depth"),
    lr: num("lr"),
    batchSize: num("batch"),
    epochs: num("epochs"),
    seed: num("seed"),
    ...(field("holdout").value === "every-other" ? { holdout: "every-other" } : {}),
  };
}

/** A control's value as written in the URL (the size as WxH, as the scripted mode reads it). */
function urlValue(name: string, value: string): string {
  if (name !== "size") return value;
  return value === "0" ? "full" : `${value}x${value}`;
}

/** The URL value back into the control's (undefined when it is not one the control takes). */
function controlValue(name: string, element: HTMLInputElement | HTMLSelectElement, raw: string): string | undefined {
  let value = raw;
  if (name === "size") {
    const m = /^(\d+)x(\d+)$/.exec(raw);
    value = raw === "full" ? "0" : m !== null && m[1] === m[2] ? m[1] : raw;
  }
  if (element instanceof HTMLSelectElement) return [...element.options].some((o) => o.value === value) ? value : undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) return undefined;
  if (element.min !== "" && n < Number(element.min)) return undefined;
  if (element.max !== "" && n > Number(element.max)) return undefined;
  return value;
}

/** Write every control into the URL (replacing the history entry: a control change is not a page). */
export function writeUrl(): void {
  const out = new URLSearchParams();
  for (const [name, id] of Object.entries(CONTROLS)) {
    const element = document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null;
    if (element === null || (element instanceof HTMLSelectElement && element.options.length === 0)) continue;
    out.set(name, urlValue(name, element.value));
  }
  out.set("backend", state.backend);
  history.replaceState(null, "", `${location.pathname}?${out.toString().replaceAll("%2C", ",")}`);
}

/**
 * Set the controls from the URL; the names it could not use, each with why. The verify view's
 * selects are filled only once the probes answer: `lateOnly` restores just those then.
 */
export function readUrl(lateOnly = false): string[] {
  const ignored: string[] = [];
  for (const [name, id] of Object.entries(CONTROLS)) {
    const late = name === "verify-a" || name === "verify-b";
    if (late !== lateOnly) continue;
    const raw = params.get(name);
    if (raw === null) continue;
    const element = field(id);
    const value = controlValue(name, element, raw);
    if (value === undefined) {
      ignored.push(`${name}=${raw}`);
      continue;
    }
    element.value = value;
    if (name === "preset") applyPreset(value);
  }
  return ignored;
}

/** Rewrite the URL whenever a control changes. */
export function watchControls(): void {
  for (const id of Object.values(CONTROLS)) {
    const element = document.getElementById(id);
    element?.addEventListener("change", writeUrl);
    element?.addEventListener("input", writeUrl);
  }
}
