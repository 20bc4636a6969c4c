// ---- the scripted mode (?autorun=1): train, verify or run the lesson from the URL, report JSON ----
import { ACTIVATION_NAMES, type ActivationName, type MLPSpec } from "coordnet/reference";
import type { CompareSummary, ToWorker } from "../protocol.js";
import { $, params, scripted } from "./dom.js";
import type { LessonResult } from "./lesson.js";
import type { StartOptions } from "./train.js";

export type Result =
  | { backend: string; epochs: number; losses: number[]; psnr: number; samplesPerSecond: number }
  | CompareSummary
  | LessonResult
  | { error: string };

export function finish(result: Result): void {
  (window as unknown as { coordnetResult: Result }).coordnetResult = result;
  const pre = $("coordnet-result");
  pre.textContent = JSON.stringify(result);
  // shown in the scripted mode; the train view has its own display
  pre.hidden = !scripted;
}

export function scriptedOptions(): StartOptions {
  const image = params.get("image") ?? "default";
  if (image !== "default") throw new Error(`coordnet: image must be "default" in the scripted mode, got "${image}"`);
  const overrides: Record<string, unknown> = {};
  const int = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (!Number.isSafeInteger(v) || v < (name === "seed" ? 0 : 1))
      throw new Error(`coordnet: ${name} must be an integer ≥ ${name === "seed" ? 0 : 1}, got "${raw}"`);
    return v;
  };
  // the network's size too, for quick checks (kernel compiles grow with the layers)
  for (const name of ["epochs", "seed", "width", "depth"]) {
    const v = int(name);
    if (v !== undefined) overrides[name] = v;
  }
  let size: { width: number; height: number } | undefined;
  const rawSize = params.get("size");
  if (rawSize !== null) {
    const m = /^(\d+)x(\d+)$/.exec(rawSize);
    if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`coordnet: size must be WxH, e.g. 32x32, got "${rawSize}"`);
    size = { width: Number(m[1]), height: Number(m[2]) };
  }
  const preset = params.get("preset") ?? "relu-sigmoid";
  return { preset, overrides, backend: params.get("backend") ?? "auto", size };
}

/** The network of the verify view's scripted mode: the study's unless a parameter changes it. */
const VERIFY_SPEC: MLPSpec = { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" };

/**
 * ?verify=a,b[&batch=&steps=&seed=&lr=][&inputs=&outputs=&width=&depth=&activation=&output=]&autorun=1:
 * compareBackends(a, b) on that network (the study's by default) → the comparison. Every parameter
 * is checked here, so a bad one gives one `coordnet:` line.
 */
export function verifyMessage(): ToWorker {
  const [a, b, ...rest] = (params.get("verify") ?? "").split(",");
  if (a === undefined || b === undefined || a === "" || b === "" || rest.length > 0)
    throw new Error(`coordnet: verify must be two backends, e.g. "reference,gpujs-webgl2", got "${params.get("verify")}"`);
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (!/^\d+$/.test(raw) || v < min || v > max) throw new Error(`coordnet: ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return v;
  };
  const activation = (name: string, fallback: ActivationName): ActivationName => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    if (!(ACTIVATION_NAMES as readonly string[]).includes(raw))
      throw new Error(`coordnet: ${name} must be one of ${ACTIVATION_NAMES.join(", ")}, got "${raw}"`);
    return raw as ActivationName;
  };
  const rawLr = params.get("lr");
  const lr = rawLr === null ? undefined : Number(rawLr);
  if (lr !== undefined && !(lr > 0 && lr < 1)) throw new Error(`coordnet: lr must be a number between 0 and 1, got "${rawLr}"`);
  const spec: MLPSpec = {
    inputs: int("inputs", 1, 4096) ?? VERIFY_SPEC.inputs,
    outputs: int("outputs", 1, 4096) ?? VERIFY_SPEC.outputs,
    width: int("width", 1, 4096) ?? VERIFY_SPEC.width,
    depth: int("depth", 1, 4096) ?? VERIFY_SPEC.depth,
    activation: activation("activation", VERIFY_SPEC.activation),
    outputActivation: activation("output", VERIFY_SPEC.outputActivation),
  };
  return { type: "compare", a, b, spec, batch: int("batch", 1, 65536), steps: int("steps", 1, 1000), seed: int("seed", 0, Number.MAX_SAFE_INTEGER), lr };
}
