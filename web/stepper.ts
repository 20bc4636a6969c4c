/// <reference types="vite/client" />
// The backprop stepper page (stepper.html): steps web/stepper-core.ts's Stepper and shows, for the
// step on screen, the lines of src/reference/ it ran and every array, the ones it wrote marked.
// The source files are quoted at build time (Vite's ?raw), so what is shown is what ran.
import type { ActivationName } from "../dist/reference/index.js";
import {
  DEFAULT_OPTIONS,
  gradientCheck,
  HIDDEN_ACTIVATIONS,
  locate,
  OUTPUT_ACTIVATIONS,
  type Step,
  Stepper,
  type StepperOptions,
  tinyImage,
} from "./stepper-core.js";

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

// ?width=3&depth=2&activation=relu&output=sigmoid&pixels=4&seed=0&lr=0.01&dtype=float64 sets the options
const params = new URLSearchParams(location.search);
const FIELDS: [keyof StepperOptions, string, string][] = [
  ["width", "st-width", "width"],
  ["depth", "st-depth", "depth"],
  ["activation", "st-activation", "activation"],
  ["outputActivation", "st-output", "output"],
  ["pixels", "st-pixels", "pixels"],
  ["seed", "st-seed", "seed"],
  ["lr", "st-lr", "lr"],
  ["dtype", "st-dtype", "dtype"],
];
for (const [key, id, param] of FIELDS) input(id).value = params.get(param) ?? String(DEFAULT_OPTIONS[key]);

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

let stepper: Stepper;
/** index of the step on screen in stepper.steps (Previous walks back through the record) */
let cursor = 0;

/** Four significant digits; the exact value is in the cell's title and data-value. */
const fmt = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(4))) : v.toExponential(3));

function reset(): void {
  const error = $("st-error");
  try {
    stepper = new Stepper(readOptions());
    error.hidden = true;
  } catch (e) {
    error.textContent = (e as Error).message;
    error.hidden = false;
    return;
  }
  cursor = 0;
  const layers = $<HTMLSelectElement>("fd-layer");
  layers.replaceChildren(...Array.from({ length: stepper.mlp.layers.length }, (_, l) => new Option(String(l), String(l))));
  $("fd-out").textContent = "";
  showBatch();
  render();
}

function showBatch(): void {
  const image = tinyImage();
  const { pixels, x, target } = stepper.batch;
  const rows = pixels.map(
    (p, n) => `<tr><td>${n}</td><td>(${p % 4}, ${Math.floor(p / 4)})</td><td>${fmt(x[2 * n])}, ${fmt(x[2 * n + 1])}</td><td>${fmt(target[n])}</td></tr>`,
  );
  $("st-batch").innerHTML = `<tr><th>row</th><th>pixel</th><th>input [x, y]</th><th>target</th></tr>${rows.join("")}`;
  $("st-batch").title = `the 4×4 image: ${image.map(fmt).join(" ")}`;
}

function advance(): Step {
  if (cursor < stepper.steps.length - 1) cursor++;
  else {
    stepper.next();
    cursor = stepper.steps.length - 1;
  }
  return stepper.steps[cursor];
}

function render(): void {
  const step = stepper.steps[cursor];
  const prev = cursor > 0 ? stepper.steps[cursor - 1] : null;
  const where = step.t === 0 ? "initialisation" : `training step ${step.t} · ${step.phase}`;
  $("st-status").textContent = `Step ${step.index} (${where}): ${step.title}`;
  $<HTMLButtonElement>("st-prev").disabled = cursor === 0;
  renderOutline(step);
  renderCode(step);
  renderArrays(step, prev);
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
    text.split("\n").forEach((line, i) => {
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
          if (prev !== null && !Object.is(prev.arrays[name][k], values[k])) td.className = "changed";
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
  const out = $("fd-out");
  const step = stepper.steps[cursor];
  const t = Math.max(1, step.t);
  while (stepper.paramsAtForward.length < t) stepper.next();
  try {
    const layer = Number(input("fd-layer").value);
    const which = input("fd-which").value as "W" | "b";
    const index = Number(input("fd-index").value);
    const c = gradientCheck(stepper.options, stepper.paramsAtForward[t - 1], layer, which, index);
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
  advance();
  render();
});
$("st-prev").addEventListener("click", () => {
  if (cursor > 0) cursor--;
  render();
});
$("st-run").addEventListener("click", () => {
  while (advance().fn !== "adamStep");
  render();
});
$("st-reset").addEventListener("click", reset);
$("fd-run").addEventListener("click", checkGradient);
for (const [, id] of FIELDS) input(id).addEventListener("change", reset);

reset();

/** For tests and the curious: the options, the step on screen and every step so far. */
(globalThis as unknown as { coordnetStepper: unknown }).coordnetStepper = {
  options: () => stepper.options,
  cursor: () => cursor,
  trace: () => stepper.trace(),
};
