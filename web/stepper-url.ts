// The stepper page's state in its URL, so that a teacher can share a set-up as a link: every
// control is a parameter (the network's options, the finite-difference check's choice, the
// keyboard shortcuts), and so are the call on screen (`step`) and the node or edge whose values the
// readout shows (`watch`). The page writes the parameters that differ from their defaults with
// history.replaceState after every change, and reads them all on load. Pure, no DOM:
// test/stepper-diagram.test.ts checks it in Node.
import { DEFAULT_OPTIONS } from "./stepper-core.js";

/** A control of the page: its URL parameter, the id of its element and the value it starts with. */
export interface Control {
  readonly param: string;
  readonly id: string;
  readonly initial: string;
}

/** Every control of the stepper page, in the order the URL lists them. */
export const CONTROLS: readonly Control[] = [
  { param: "width", id: "st-width", initial: String(DEFAULT_OPTIONS.width) },
  { param: "depth", id: "st-depth", initial: String(DEFAULT_OPTIONS.depth) },
  { param: "activation", id: "st-activation", initial: DEFAULT_OPTIONS.activation },
  { param: "output", id: "st-output", initial: DEFAULT_OPTIONS.outputActivation },
  { param: "pixels", id: "st-pixels", initial: String(DEFAULT_OPTIONS.pixels) },
  { param: "seed", id: "st-seed", initial: String(DEFAULT_OPTIONS.seed) },
  { param: "lr", id: "st-lr", initial: String(DEFAULT_OPTIONS.lr) },
  { param: "dtype", id: "st-dtype", initial: DEFAULT_OPTIONS.dtype },
  { param: "fd-layer", id: "fd-layer", initial: "0" },
  { param: "fd-array", id: "fd-which", initial: "W" },
  { param: "fd-index", id: "fd-index", initial: "0" },
  { param: "keys", id: "st-keys", initial: "on" },
];

/**
 * The most calls a link may ask the page to replay (`step`): 200 training steps of the largest
 * network (8 wide, 4 deep, 16 pixels; 25 calls each), 277 of the default. Replaying 5,000 calls
 * took 3.7 s for the largest and 0.9 s for the default in Node on a 2-core machine at a load
 * average of 23 (2026-12-07); 100,000 took 57 s and 13 s.
 */
export const MAX_STEP = 5000;

/** The page's state: each control's value by parameter, the call on screen and the watched node or edge. */
export interface PageState {
  readonly controls: Readonly<Record<string, string>>;
  /** Step.index of the call on screen */
  readonly step: number;
  /** a diagram node or edge id, or null */
  readonly watch: string | null;
}

/** The query string of a state (`?…`, or "" when everything is as the page starts): only what differs from the start. */
export function queryOf(state: PageState): string {
  const q = new URLSearchParams();
  for (const c of CONTROLS) {
    const v = state.controls[c.param];
    if (v !== undefined && v !== c.initial) q.set(c.param, v);
  }
  if (state.step !== 0) q.set("step", String(state.step));
  if (state.watch !== null) q.set("watch", state.watch);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/**
 * The state a query string asks for: each control's value (its initial one where the query has
 * none), the step (0 where none) and the watched id. A bad `step` gives one line starting
 * `coordnet:` in `problems` and step 0; the controls are checked by the page (the options by
 * checkOptions, the rest against what the network offers).
 */
export function stateOf(search: string): PageState & { readonly problems: readonly string[] } {
  const q = new URLSearchParams(search);
  const controls: Record<string, string> = {};
  for (const c of CONTROLS) controls[c.param] = q.get(c.param) ?? c.initial;
  const problems: string[] = [];
  let step = 0;
  const s = q.get("step");
  if (s !== null) {
    const n = /^\d+$/.test(s.trim()) ? Number(s) : Number.NaN;
    if (Number.isInteger(n) && n <= MAX_STEP) step = n;
    else problems.push(`coordnet: step must be a whole number from 0 to ${MAX_STEP}, got ${s}`);
  }
  return { controls, step, watch: q.get("watch"), problems };
}
