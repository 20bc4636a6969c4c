/// <reference types="vite/client" />
// The backprop stepper page (stepper.html): steps web/stepper-core.ts's Stepper and shows, for the
// step on screen, a picture of the network with what the step computed lit (web/stepper-diagram.ts,
// drawn by web/stepper-svg.ts), the lines of src/reference/ it ran and every array, the ones it
// wrote marked. The page's state lives in its URL (web/stepper-url.ts).
// The source files are quoted at build time (Vite's ?raw), so what is shown is what ran.
import { type ActivationName, layerSizes } from "../dist/reference/index.js";
import {
  DEFAULT_OPTIONS,
  gradientCheck,
  HIDDEN_ACTIVATIONS,
  HISTORY,
  IMAGE_SIZE,
  locate,
  OUTPUT_ACTIVATIONS,
  type Step,
  Stepper,
  type StepperOptions,
  splitLines,
  tinyImage,
} from "./stepper-core.js";
import { diagramOf } from "./stepper-diagram.js";
import { DiagramView } from "./stepper-svg.js";
import { CONTROLS, type Control, queryOf, stateOf } from "./stepper-url.js";

const SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob("../src/reference/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>).map(
    ([path, text]) => [path.replace(/^\.\.\//, ""), text],
  ),
);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id);

for (const [id, names] of [
  ["st-activation", HIDDEN_ACTIVATIONS],
  ["st-output", OUTPUT_ACTIVATIONS],
] as const)
  for (const n of names) $<HTMLSelectElement>(id).add(new Option(n, n));

// Every control is a URL parameter (web/stepper-url.ts): ?width=4&depth=1&…&step=14&watch=e1-2-0
// restores the controls, the call on screen and the watched node or edge; the page rewrites its
// URL after every change (history.replaceState), so the address bar is always a link to what is shown.
const initial = stateOf(location.search);
const control = (c: Control) => input(c.id);
/** A control's value as the URL writes it (a checkbox: on or off). */
function controlValue(c: Control): string {
  const e = control(c);
  return e instanceof HTMLInputElement && e.type === "checkbox" ? (e.checked ? "on" : "off") : e.value;
}
function setValue(c: Control, v: string): void {
  const e = control(c);
  if (e instanceof HTMLInputElement && e.type === "checkbox") e.checked = v === "on";
  else e.value = v;
}
/** the network's options, by parameter: a change makes a new network */
const OPTION_CONTROLS = CONTROLS.slice(0, 8);
for (const c of OPTION_CONTROLS) setValue(c, initial.controls[c.param]);

function readOptions(): StepperOptions {
  const num = (id: string) => (input(id).value.trim() === "" ? Number.NaN : Number(input(id).value));
  return {
    width: num("st-width"),
    depth: num("st-depth"),
    activation: input("st-activation").value as ActivationName,
    outputActivation: input("st-output").value as ActivationName,
    pixels: num("st-pixels"),
    seed: num("st-seed"),
    lr: num("st-lr"),
    dtype: input("st-dtype").value as StepperOptions["dtype"],
  };
}

// On bad options the page keeps showing the network it has (the default, when the link itself was
// bad) with the one-line error, and the buttons that step or check it are disabled until the
// fields are valid again: the arrays on screen never belong to options other than the fields'
// without the error saying so, and nothing steps a network the fields do not describe.
let stepper: Stepper;
/** Step.index of the step on screen (Previous walks back through the kept steps) */
let cursor = 0;
/** the buttons that step or check the network on screen */
const STEPPING = ["st-prev", "st-next", "st-run", "fd-run"];
let blocked = false;
/** the picture of the network on screen */
let diagram: DiagramView | null = null;
/** false while the page restores a link: the URL is rewritten once the whole state is back */
let restored = false;

/** Four significant digits; the exact value is in the cell's title and data-value. */
const fmt = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(4))) : v.toExponential(3));

function reset(): void {
  const error = $("st-error");
  let next: Stepper;
  try {
    next = new Stepper(readOptions());
    error.hidden = true;
    blocked = false;
  } catch (e) {
    error.textContent = (e as Error).message;
    error.hidden = false;
    blocked = true;
    if (stepper !== undefined) {
      render();
      return;
    }
    next = new Stepper(DEFAULT_OPTIONS);
  }
  stepper = next;
  cursor = 0;
  const layers = $<HTMLSelectElement>("fd-layer");
  const chosen = layers.value;
  layers.replaceChildren(...Array.from({ length: stepper.mlp.layers.length }, (_, l) => new Option(String(l), String(l))));
  if (Number(chosen) < stepper.mlp.layers.length) layers.value = chosen;
  drawDiagram();
  $("fd-out").textContent = "";
  showBatch();
  showShape();
  render();
}

function showBatch(): void {
  const image = tinyImage();
  const { pixels, x, target } = stepper.batch;
  const rows = pixels.map(
    (p, n) =>
      `<tr><td>${n}</td><td>(${p % IMAGE_SIZE}, ${Math.floor(p / IMAGE_SIZE)})</td><td>${fmt(x[2 * n])}, ${fmt(x[2 * n + 1])}</td><td>${fmt(target[n])}</td></tr>`,
  );
  $("st-batch").innerHTML = `<tr><th>row</th><th>pixel</th><th>input [x, y]</th><th>target</th></tr>${rows.join("")}`;
  $("st-batch").title = `the ${IMAGE_SIZE}×${IMAGE_SIZE} image: ${image.map(fmt).join(" ")}`;
}

/** The step on screen. */
const onScreen = (): Step => stepper.at(cursor) ?? stepper.steps[0];

function advance(): Step {
  if (cursor < stepper.current.index) cursor++;
  else cursor = stepper.next().index;
  return onScreen();
}

/** The finite-difference box's hint: the chosen array's shape and how its index counts. */
function showShape(): void {
  const name = `${input("fd-which").value}[${input("fd-layer").value}]`;
  const shape = stepper.shapes[name];
  if (shape === undefined) return;
  const [rows, cols] = shape;
  $<HTMLInputElement>("fd-index").max = String(rows * cols - 1);
  $("fd-shape").textContent =
    rows === 1
      ? `${name} is [1×${cols}]: index 0–${cols - 1}`
      : `${name} is [${rows}×${cols}] (outputs × inputs), row-major: index = row·${cols} + column, 0–${rows * cols - 1}. Or click a cell of ${name}.`;
}

function render(): void {
  const step = onScreen();
  cursor = step.index;
  const prev = stepper.at(cursor - 1) ?? null;
  const where = step.t === 0 ? "initialisation" : `training step ${step.t} · ${step.phase}`;
  $("st-status").textContent = `Step ${step.index} (${where}): ${step.title}`;
  for (const id of STEPPING) $<HTMLButtonElement>(id).disabled = blocked;
  $<HTMLButtonElement>("st-prev").disabled = blocked || prev === null;
  renderOutline(step);
  diagram?.show(step);
  renderCode(step);
  renderArrays(step, prev);
  syncUrl();
}

/** A new picture for the network on screen, watching the same node or edge where it still has one. */
function drawDiagram(): void {
  const watched = diagram?.selected ?? null;
  const svg = document.getElementById("st-diagram") as unknown as SVGSVGElement;
  diagram = new DiagramView(svg, diagramOf(layerSizes(stepper.mlp.spec), stepper.batch.pixels.length), $("st-readout"), fmt, syncUrl, chooseForCheck);
  if (watched !== null) diagram.select(watched);
}

/** A weight (edge) or a bias (hidden or output unit) of the diagram, chosen for the finite-difference check. */
function chooseForCheck(id: string): void {
  const edge = diagram?.diagram.edges.find((e) => e.id === id);
  const node = diagram?.diagram.nodes.find((n) => n.id === id);
  if (edge !== undefined && edge.index >= 0) choose("W", edge.layer, edge.index);
  else if (node !== undefined && node.layer >= 1 && node.id !== "loss") choose("b", node.layer - 1, node.unit);
}

function choose(which: "W" | "b", layer: number, index: number): void {
  input("fd-which").value = which;
  input("fd-layer").value = String(layer);
  input("fd-index").value = String(index);
  showShape();
  syncUrl();
}

/** The address bar: a link to what is on screen. */
function syncUrl(): void {
  if (!restored) return;
  const controls = Object.fromEntries(CONTROLS.map((c) => [c.param, controlValue(c)]));
  const query = queryOf({ controls, step: cursor, watch: diagram?.selected ?? null });
  history.replaceState(null, "", `${location.pathname}${query}${location.hash}`);
}

function renderOutline(step: Step): void {
  const L = stepper.mlp.layers.length;
  const calls = [
    "mlpForward",
    ...Array.from({ length: L }, (_, l) => [`denseForward ${l}`, `activationForward ${l}`]).flat(),
    "mseForward",
    "mseBackward",
    "mlpBackward",
  ];
  for (let l = L - 1; l >= 0; l--) calls.push(`activationBackward ${l}`, `denseBackward ${l}`);
  calls.push("adamStep");
  const here = step.layer === null ? step.fn : `${step.fn} ${step.layer}`;
  $("st-outline").replaceChildren(
    ...calls.map((c) => {
      const li = document.createElement("li");
      li.textContent = c.replace(/ (\d+)$/, " (layer $1)");
      if (c === here) {
        li.className = "current";
        li.setAttribute("aria-current", "step");
      }
      return li;
    }),
  );
}

function renderCode(step: Step): void {
  const box = $("st-code");
  box.replaceChildren();
  for (const src of step.sources) {
    const text = SOURCES[src.file];
    const ranges = src.at.map((at) => locate(text, at));
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = `${src.file}, line${ranges.length === 1 && ranges[0][0] === ranges[0][1] ? "" : "s"} ${ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(", ")}`;
    const pre = document.createElement("pre");
    pre.className = "source";
    pre.tabIndex = 0;
    let first: HTMLElement | null = null;
    splitLines(text).forEach((line, i) => {
      const span = document.createElement("span");
      span.className = ranges.some(([a, b]) => i + 1 >= a && i + 1 <= b) ? "line hl" : "line";
      const number = document.createElement("span");
      number.className = "ln";
      number.textContent = String(i + 1);
      span.append(number, `${line}\n`);
      if (first === null && span.classList.contains("hl")) first = span;
      pre.append(span);
    });
    figure.append(caption, pre);
    box.append(figure);
    const target = first as HTMLElement | null;
    if (target !== null) pre.scrollTop = Math.max(0, target.offsetTop - 2 * target.offsetHeight);
  }
}

const GROUPS: [string, RegExp][] = [
  ["Parameters", /^[Wb]\[/],
  ["Forward (the tape)", /^[az]\[/],
  ["Loss", /^(loss|dOut)$/],
  ["Backward", /^(da|dW|db)\[/],
  ["Adam's moments", /^[mv]\(/],
];

function renderArrays(step: Step, prev: Step | null): void {
  const box = $("st-arrays");
  box.replaceChildren();
  for (const [title, pattern] of GROUPS) {
    const group = document.createElement("section");
    group.className = "array-group";
    const h = document.createElement("h2");
    h.textContent = title;
    group.append(h);
    for (const [name, values] of Object.entries(step.arrays)) {
      if (!pattern.test(name)) continue;
      const [rows, cols] = stepper.shapes[name];
      const table = document.createElement("table");
      table.className = step.writes.includes(name) ? "array written" : "array";
      table.dataset.name = name;
      const caption = document.createElement("caption");
      caption.textContent = `${name}${rows > 1 || cols > 1 ? ` [${rows}×${cols}]` : ""}${step.writes.includes(name) ? " — written" : ""}`;
      table.append(caption);
      for (let r = 0; r < rows; r++) {
        const tr = document.createElement("tr");
        for (let c = 0; c < cols; c++) {
          const k = r * cols + c;
          const td = document.createElement("td");
          td.textContent = fmt(values[k]);
          td.title = `${name}[${k}] = ${values[k]}`;
          td.dataset.index = String(k);
          td.dataset.value = String(values[k]);
          if (prev !== null && !Object.is(prev.arrays[name][k], values[k])) {
            // not by colour alone: bold and underlined (stepper.css), and said in the title
            td.className = "changed";
            td.title += ` (changed by this step; was ${prev.arrays[name][k]})`;
          }
          tr.append(td);
        }
        table.append(tr);
      }
      group.append(table);
    }
    box.append(group);
  }
}

function checkGradient(): void {
  if (blocked) return;
  const out = $("fd-out");
  const t = Math.max(1, onScreen().t);
  // on the initialisation: training step 1's forward pass has not begun; its first call records its parameters
  while (stepper.paramsAtForward(t) === undefined && stepper.current.t < t) stepper.next();
  try {
    const layer = Number(input("fd-layer").value);
    const which = input("fd-which").value as "W" | "b";
    const index = Number(input("fd-index").value);
    const params = stepper.paramsAtForward(t);
    if (params === undefined) throw new Error(`coordnet: training step ${t} is no longer kept`);
    const c = gradientCheck(stepper.options, params, layer, which, index);
    out.textContent =
      `d loss / d ${which}[${layer}][${index}] at training step ${t}'s weights: numerical ${c.numerical.toPrecision(10)} (central difference, h = ${c.h}, float64), ` +
      `backprop ${c.backprop.toPrecision(10)} (${stepper.options.dtype}); relative difference ${c.relative.toExponential(2)}`;
    out.className = "";
  } catch (e) {
    out.textContent = (e as Error).message;
    out.className = "error";
  }
}

$("st-next").addEventListener("click", () => {
  if (blocked) return;
  advance();
  render();
});
$("st-prev").addEventListener("click", () => {
  if (blocked) return;
  if (stepper.at(cursor - 1) !== undefined) cursor--;
  render();
});
$("st-run").addEventListener("click", () => {
  if (blocked) return;
  while (advance().fn !== "adamStep");
  render();
});
$("st-reset").addEventListener("click", reset);
$("fd-run").addEventListener("click", checkGradient);
for (const c of OPTION_CONTROLS) control(c).addEventListener("change", reset);
for (const id of ["fd-layer", "fd-which"]) input(id).addEventListener("change", showShape);
for (const id of ["fd-layer", "fd-which", "fd-index", "st-keys"]) input(id).addEventListener("change", syncUrl);
// N and P step forward and back from anywhere but a text field, unless the student turns them off
// (WCAG 2.1.4: single-key shortcuts can be turned off); the buttons say so (aria-keyshortcuts)
document.addEventListener("keydown", (e) => {
  if (!$<HTMLInputElement>("st-keys").checked || e.altKey || e.ctrlKey || e.metaKey) return;
  if ((e.target as Element).closest("input, select, textarea, [contenteditable]") !== null) return;
  const button = { n: "st-next", p: "st-prev" }[e.key.toLowerCase()];
  if (button === undefined) return;
  e.preventDefault();
  $<HTMLButtonElement>(button).click();
});
// clicking a cell of W[l] or b[l] chooses it for the finite-difference check
$("st-arrays").addEventListener("click", (e) => {
  const td = (e.target as HTMLElement).closest("td");
  const name = td?.closest("table")?.dataset.name ?? "";
  const m = /^([Wb])\[(\d+)\]$/.exec(name);
  if (td === null || m === null) return;
  choose(m[1] as "W" | "b", Number(m[2]), Number(td.dataset.index ?? "0"));
});
// the arrays scroll sideways on a narrow screen: the keyboard must reach them too
$("st-arrays").tabIndex = 0;
$("st-history").textContent = `Previous goes back at most ${HISTORY} training steps: older ones are not kept.`;

reset();
restore();

/**
 * The rest of the link, once its network is on screen: the call on screen (replayed from the
 * start), the finite-difference choice, the shortcuts and the watched node or edge. A value the
 * page cannot take is named on the error line and left at its start.
 */
function restore(): void {
  const problems = [...initial.problems];
  const rest = CONTROLS.filter((c) => !OPTION_CONTROLS.includes(c));
  for (const c of rest) {
    const v = initial.controls[c.param];
    setValue(c, v);
    const e = control(c);
    const bad = e instanceof HTMLSelectElement ? controlValue(c) !== v : c.param === "keys" ? !["on", "off"].includes(v) : !/^\d+$/.test(v);
    if (bad) {
      const allowed =
        e instanceof HTMLSelectElement ? `one of ${Array.from(e.options, (o) => o.value).join(", ")}` : c.param === "keys" ? "on or off" : "a whole number ≥ 0";
      problems.push(`coordnet: ${c.param} must be ${allowed}, got ${v}`);
      setValue(c, c.initial);
    }
  }
  showShape();
  if (!blocked) {
    while (stepper.current.index < initial.step) stepper.next();
    cursor = initial.step;
  }
  if (initial.watch !== null) {
    diagram?.select(initial.watch);
    if (diagram?.selected !== initial.watch)
      problems.push(`coordnet: watch must name a node or edge of the diagram (such as n1-0, e0-2-1 or loss), got ${initial.watch}`);
  }
  restored = true;
  render();
  if (problems.length > 0 && !blocked) {
    $("st-error").textContent = problems[0];
    $("st-error").hidden = false;
  }
}

/** For tests and the curious: the options of the network on screen, the step on screen (its Step.index) and the kept steps. */
(globalThis as unknown as { coordnetStepper: unknown }).coordnetStepper = {
  options: () => stepper.options,
  cursor: () => cursor,
  trace: () => stepper.trace(),
};
