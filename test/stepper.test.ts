// The backprop stepper (web/stepper-core.ts, shown by web/stepper.html) calls the reference one
// function at a time. Its numbers must be the reference's: for a fixed seed, every array each step
// writes equals, bit for bit, what the reference's own mlpForward, mseForward, mseBackward,
// mlpBackward and adamStep give for an MLP built independently with createMLP and the same seed
// (same code, same dtype, same order of operations: no tolerance). Every array a step does not
// claim to write is unchanged. Its finite-difference check agrees with backprop, and every source
// locator it highlights resolves in the real files.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pixelCoordinates } from "../dist/encoding/index.js";
import {
  activationForward,
  adamStep,
  allocate,
  createAdamState,
  createGrads,
  createMLP,
  createTape,
  type FloatArray,
  gradientArrays,
  type MLP,
  mlpBackward,
  mlpForward,
  mseBackward,
  mseForward,
  parameterArrays,
  Rng,
} from "../dist/reference/index.js";
import {
  ADAM,
  batchOf,
  DEFAULT_OPTIONS,
  gradientCheck,
  HISTORY,
  type Locator,
  locate,
  parameterNames,
  SOURCE_FILES,
  type Step,
  Stepper,
  type StepperOptions,
} from "../web/stepper-core.js";

/** The parameters training step t's forward pass used; throws when the stepper has not kept them. */
function paramsAt(stepper: Stepper, t: number): number[][] {
  const p = stepper.paramsAtForward(t);
  if (p === undefined) throw new Error(`the stepper has no parameters for training step ${t}`);
  return p;
}

/** What the reference computes for `steps` training steps, recorded after each call the stepper mirrors. */
function referenceRun(o: StepperOptions, steps: number): Record<string, number[]>[] {
  // built here from createMLP, not from the stepper's helpers: an independent MLP, same seed
  const spec = { inputs: 2, outputs: 1, width: o.width, depth: o.depth, activation: o.activation, outputActivation: o.outputActivation };
  const mlp = createMLP(spec, new Rng(o.seed, "init"), o.activation === "sine" ? "siren" : "torch", o.dtype);
  const { x, target } = batchOf(o);
  const B = o.pixels;
  const L = mlp.layers.length;
  const tape = createTape(mlp, B);
  const grads = createGrads(mlp);
  const dOut = allocate(o.dtype, B);
  const state = createAdamState(parameterArrays(mlp));
  const out: Record<string, number[]>[] = [];
  const copy = (a: FloatArray) => Array.from(a);
  const names = parameterNames(L);
  for (let t = 1; t <= steps; t++) {
    const e: Record<string, number[]> = {};
    const params = parameterArrays(mlp).map(copy);
    // da[l] as denseBackward writes it (before the next activationBackward overwrites it): the
    // input gradient of the sub-network of layers l … L−1, from the reference's mlpBackward
    for (let l = 1; l < L; l++) {
      const sub: MLP = { spec: { ...spec, inputs: o.width, depth: L - 1 - l }, dtype: o.dtype, layers: mlp.layers.slice(l) };
      const subTape = createTape(sub, B);
      mlpForward(mlp, tape, x, B);
      const pred = mlpForward(sub, subTape, tape.a[l], B);
      const d = allocate(o.dtype, B);
      mseBackward(pred, target, d, B);
      e[`da[${l}] from denseBackward`] = copy(mlpBackward(sub, subTape, d, createGrads(sub), B, true) as FloatArray);
    }
    const pred = mlpForward(mlp, tape, x, B);
    e.loss = [mseForward(pred, target, B)];
    mseBackward(pred, target, dOut, B);
    e.dOut = copy(dOut);
    // the stepper's dOut copy into da[L] is checked against dOut itself
    e[`da[${L}] copied`] = copy(dOut);
    mlpBackward(mlp, tape, dOut, grads, B);
    for (let l = 0; l <= L; l++) e[`a[${l}]`] = copy(tape.a[l]);
    for (let l = 0; l < L; l++) e[`z[${l}]`] = copy(tape.z[l]);
    for (let l = 1; l <= L; l++) e[`da[${l}]`] = copy(tape.da[l]); // dz[l−1], after activationBackward
    grads.forEach((g, l) => {
      e[`dW[${l}]`] = copy(g.weight);
      e[`db[${l}]`] = copy(g.bias);
    });
    names.forEach((n, k) => {
      e[`${n} before`] = params[k];
    });
    adamStep(parameterArrays(mlp), gradientArrays(grads), state, ADAM, o.lr);
    parameterArrays(mlp).forEach((p, k) => {
      e[names[k]] = copy(p);
      e[`m(${names[k]})`] = copy(state.m[k]);
      e[`v(${names[k]})`] = copy(state.v[k]);
    });
    out.push(e);
  }
  return out;
}

/** The reference's value of array `name` right after `step`. */
function expected(ref: Record<string, number[]>[], step: Step, name: string, L: number): number[] {
  const e = ref[step.t - 1];
  if (step.fn === "mlpBackward") return e[`da[${L}] copied`];
  if (step.fn === "denseBackward" && name.startsWith("da[")) return e[`${name} from denseBackward`];
  return e[name];
}

/** The sequence of calls one training step must make: mlpForward's loop, MSE, mlpBackward's loop, Adam. */
function expectedCalls(L: number): string[] {
  const calls = ["mlpForward"];
  for (let l = 0; l < L; l++) calls.push(`denseForward ${l}`, `activationForward ${l}`);
  calls.push("mseForward", "mseBackward", "mlpBackward");
  for (let l = L - 1; l >= 0; l--) calls.push(`activationBackward ${l}`, `denseBackward ${l}`);
  calls.push("adamStep");
  return calls;
}

const CASES: [string, StepperOptions][] = [
  ["the default 2→3→3→1, relu/sigmoid, float64", DEFAULT_OPTIONS],
  [
    "2→5→1, tanh/identity, float32, 9 pixels",
    { ...DEFAULT_OPTIONS, width: 5, depth: 1, activation: "tanh", outputActivation: "identity", dtype: "float32", pixels: 9, seed: 7 },
  ],
  ["2→4→4→4→1, gelu/sigmoid, float32", { ...DEFAULT_OPTIONS, width: 4, depth: 3, activation: "gelu", dtype: "float32", seed: 3, lr: 0.05 }],
  ["2→3→3→1, sine (siren init)/sigmoid, float64", { ...DEFAULT_OPTIONS, activation: "sine", seed: 11 }],
];

describe("the backprop stepper", () => {
  it.each(CASES)("%s: every array each call writes equals the reference's, bit for bit, over 3 training steps", (_name, o) => {
    const stepper = new Stepper(o);
    const L = o.depth + 1;
    const ref = referenceRun(o, 3);
    const init = createMLP(
      { inputs: 2, outputs: 1, width: o.width, depth: o.depth, activation: o.activation, outputActivation: o.outputActivation },
      new Rng(o.seed, "init"),
      o.activation === "sine" ? "siren" : "torch",
      o.dtype,
    );
    parameterNames(L).forEach((n, k) => {
      expect(stepper.steps[0].arrays[n]).toEqual(Array.from(parameterArrays(init)[k]));
    });
    for (let t = 1; t <= 3; t++) stepper.runToEndOfStep();
    const steps = stepper.steps;
    // 1 initialisation, then per training step: input copy, 2 per layer forward, 2 MSE, da[L] copy, 2 per layer backward, Adam
    const perStep = 1 + 2 * L + 3 + 2 * L + 1;
    expect(steps).toHaveLength(1 + 3 * perStep);
    for (let t = 1; t <= 3; t++) {
      const calls = steps.filter((s) => s.t === t).map((s) => (s.layer === null ? s.fn : `${s.fn} ${s.layer}`));
      expect(calls).toEqual(expectedCalls(L));
      // the parameters this training step's forward pass used
      expect(stepper.paramsAtForward(t)).toEqual(parameterNames(L).map((n) => ref[t - 1][`${n} before`]));
    }
    let checked = 0;
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i];
      for (const [name, values] of Object.entries(step.arrays)) {
        if (step.writes.includes(name)) {
          const want = expected(ref, step, name, L);
          if (want === undefined) throw new Error(`no reference value for ${name} at step ${i} (${step.fn})`);
          // toEqual on numbers is Object.is per element: bit-exact (and NaN would fail against a number)
          expect(values, `${name} after step ${i} (${step.fn} ${step.layer ?? ""}, t ${step.t})`).toEqual(want);
          checked++;
        } else {
          expect(values, `${name} must not change at step ${i} (${step.fn}), which does not write it`).toEqual(steps[i - 1].arrays[name]);
        }
      }
    }
    expect(checked).toBeGreaterThan(3 * (4 * L + 6 * L));
  });

  it("the loss falls over 20 training steps of the default (the stepper trains)", () => {
    const stepper = new Stepper(DEFAULT_OPTIONS);
    const losses: number[] = [];
    for (let t = 0; t < 20; t++) {
      stepper.runToEndOfStep();
      losses.push(stepper.steps.filter((s) => s.fn === "mseForward").at(-1)?.arrays.loss[0] ?? Number.NaN);
    }
    expect(losses[19]).toBeLessThan(losses[0]);
  });

  it("a stepper that skipped a call could not pass: skipping the output activation's backward or forward changes dW[2] or a[3]", () => {
    const o = DEFAULT_OPTIONS;
    const ref = referenceRun(o, 1)[0];
    const mlp = createMLP(
      { inputs: 2, outputs: 1, width: o.width, depth: o.depth, activation: o.activation, outputActivation: o.outputActivation },
      new Rng(o.seed, "init"),
      "torch",
      o.dtype,
    );
    const { x, target } = batchOf(o);
    const tape = createTape(mlp, o.pixels);
    const pred = mlpForward(mlp, tape, x, o.pixels);
    const dOut = allocate(o.dtype, o.pixels);
    mseBackward(pred, target, dOut, o.pixels);
    // skipping the output sigmoid's backward = backprop with the identity as output activation
    const skipped: MLP = { ...mlp, spec: { ...mlp.spec, outputActivation: "identity" } };
    const grads = createGrads(skipped);
    mlpBackward(skipped, tape, dOut, grads, o.pixels);
    expect(Array.from(grads[2].weight)).not.toEqual(ref["dW[2]"]);
    // and the forward's sigmoid matters too
    const a = allocate(o.dtype, o.pixels);
    activationForward("identity", tape.z[2], a, o.pixels);
    expect(Array.from(a)).not.toEqual(ref["a[3]"]);
  });

  // Central differences in float64: the truncation error is h²/6·|L'''| (≈ 1e-12 · O(1) for h = 1e-6)
  // and the rounding error ≈ ε·|L|/h ≈ 2.2e-16 · 0.1 / 1e-6 ≈ 2e-11, so |numerical − backprop| stays
  // below ~1e-10 absolute; 1e-7 relative plus 1e-9 absolute (for gradients that are exactly 0: a
  // dead ReLU) leaves two orders of margin and still fails a gradient that is off by 1e-6 or more.
  it.each(CASES.filter(([, o]) => o.dtype === "float64"))("%s: finite differences agree with backprop for every weight and bias", (_name, o) => {
    const stepper = new Stepper(o);
    stepper.runToEndOfStep();
    stepper.runToEndOfStep(); // check at step 2's parameters, after an Adam update
    const params = paramsAt(stepper, 2);
    let worst = 0;
    for (let l = 0; l <= o.depth; l++) {
      for (const which of ["W", "b"] as const) {
        const n = params[2 * l + (which === "W" ? 0 : 1)].length;
        for (let i = 0; i < n; i++) {
          const c = gradientCheck(o, params, l, which, i);
          // the backprop side is the stepper's own dW/db of that training step
          const dName = `d${which}[${l}]`;
          const stepperGrad = stepper.steps.filter((s) => s.t === 2 && s.writes.includes(dName))[0].arrays[dName][i];
          expect(c.backprop).toBe(stepperGrad);
          const err = Math.abs(c.numerical - c.backprop);
          expect(err, `${which}[${l}][${i}]: numerical ${c.numerical}, backprop ${c.backprop}`).toBeLessThanOrEqual(1e-9 + 1e-7 * Math.abs(c.backprop));
          worst = Math.max(worst, err);
        }
      }
    }
    console.log(`  ${_name}: worst |numerical − backprop| ${worst.toExponential(2)}`);
  });

  it("in float32 the backprop gradient is the float32 stepper's, and finite differences (in float64) agree to float32 accuracy", () => {
    const o: StepperOptions = { ...DEFAULT_OPTIONS, dtype: "float32", activation: "tanh" };
    const stepper = new Stepper(o);
    stepper.runToEndOfStep();
    const c = gradientCheck(o, paramsAt(stepper, 1), 0, "W", 1);
    expect(c.backprop).toBe(stepper.steps.filter((s) => s.fn === "denseBackward" && s.layer === 0)[0].arrays["dW[0]"][1]);
    // float32 activations (ε = 6e-8) through 3 layers: a few 1e-6 relative
    expect(c.relative).toBeLessThan(1e-4);
  });

  it("every source locator of every step resolves in the real file, and marks the right lines", () => {
    const texts = Object.fromEntries(SOURCE_FILES.map((f) => [f, readFileSync(f, "utf8")]));
    for (const o of CASES.map(([, c]) => c)) {
      const stepper = new Stepper(o);
      stepper.runToEndOfStep();
      for (const step of stepper.steps)
        for (const src of step.sources) {
          expect(SOURCE_FILES).toContain(src.file);
          for (const at of src.at) {
            const [a, b] = locate(texts[src.file], at);
            expect(a).toBeGreaterThan(0);
            expect(b).toBeGreaterThanOrEqual(a);
            const lines = texts[src.file]
              .split("\n")
              .slice(a - 1, b)
              .join("\n");
            // the callee's lines contain the function's own name or loop; the caller's line calls it
            if (step.fn !== "createMLP" && src.file === "src/reference/mlp.ts")
              expect(lines).toMatch(step.fn === "mlpForward" || step.fn === "mlpBackward" ? /\.set\(/ : new RegExp(`${step.fn}\\(`));
          }
        }
    }
    const dense = texts["src/reference/dense.ts"];
    const [a, b] = locate(dense, { region: "denseForward" });
    expect(dense.split("\n").slice(a - 1, b)[0]).toMatch(/^export function denseForward\(/);
    expect(dense.split("\n")[b]).toBe("// #endregion denseForward");
    expect(() => locate(dense, { region: "nothing" })).toThrow(/^coordnet: no region nothing$/);
  });

  it("with Windows line endings (CRLF) every locator selects the same lines", () => {
    const locators = new Map<string, Locator[]>();
    for (const o of CASES.map(([, c]) => c)) {
      const stepper = new Stepper(o);
      stepper.runToEndOfStep();
      for (const step of stepper.steps) for (const src of step.sources) locators.set(src.file, [...(locators.get(src.file) ?? []), ...src.at]);
    }
    // every kind of locator is exercised: a region, a function down to its closing }, a line (within a region)
    const all = [...locators.values()].flat();
    expect(all.some((at) => "region" in at)).toBe(true);
    expect(all.some((at) => "fn" in at)).toBe(true);
    expect(all.some((at) => "line" in at && at.within !== undefined)).toBe(true);
    let n = 0;
    for (const [file, ats] of locators) {
      const lf = readFileSync(file, "utf8");
      expect(lf).not.toContain("\r"); // the checkout's files are LF: the CRLF copy below is a different text
      const crlf = lf.replace(/\n/g, "\r\n");
      for (const at of ats) {
        expect(locate(crlf, at), `${file} ${JSON.stringify(at)}`).toEqual(locate(lf, at));
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it("the batch is the library's pixelCoordinates of its pixels and the 4×4 image's grey values", () => {
    // computed here, not by the stepper: the grey ramp with a checkerboard of ±0.1 on top (the
    // formula in float64, ordered differently from tinyImage, so equal to ~1 ulp: 1e-15 absolute)
    const grey = (x: number, y: number) => 0.2 + (x + y) * 0.1 + ((x + y) % 2 === 0 ? 0.1 : -0.1);
    for (const o of CASES.map(([, c]) => c)) {
      const batch = batchOf(o);
      expect(batch.pixels).toHaveLength(o.pixels);
      expect(new Set(batch.pixels).size).toBe(o.pixels);
      // float64 coordinates, or the library's default float32 ones: exactly what the stepper's arrays hold
      const coords = o.dtype === "float64" ? pixelCoordinates(4, 4, "01", "float64") : pixelCoordinates(4, 4, "01");
      expect(Array.from(batch.x)).toEqual(batch.pixels.flatMap((p) => [coords[2 * p], coords[2 * p + 1]]));
      // (x, y) in [0, 1]: pixel p = y·4 + x sits at (x/3, y/3)
      batch.pixels.forEach((p, n) => {
        expect(batch.x[2 * n]).toBeCloseTo((p % 4) / 3, 6);
        expect(batch.x[2 * n + 1]).toBeCloseTo(Math.floor(p / 4) / 3, 6);
        const want = grey(p % 4, Math.floor(p / 4));
        // float32 rounds the value once: half an ulp, ≤ 2⁻²⁴ relative
        const tol = 1e-15 + (o.dtype === "float32" ? 2 ** -24 * Math.abs(want) : 0);
        expect(Math.abs(batch.target[n] - want), `target of pixel ${p}`).toBeLessThanOrEqual(tol);
      });
    }
  });

  it(`keeps only the latest ${HISTORY} training steps, and what it keeps is unchanged by the dropping`, () => {
    const o: StepperOptions = { ...DEFAULT_OPTIONS, activation: "tanh" };
    const L = o.depth + 1;
    const perStep = 1 + 2 * L + 3 + 2 * L + 1;
    const full = new Stepper(o);
    for (let t = 1; t < HISTORY; t++) full.runToEndOfStep();
    // nothing dropped yet: the initialisation and HISTORY − 1 training steps
    expect(full.steps).toHaveLength(1 + (HISTORY - 1) * perStep);
    expect(full.steps[0].fn).toBe("createMLP");
    // the first call of training step HISTORY drops the initialisation, not a training step
    full.next();
    expect(full.steps).toHaveLength((HISTORY - 1) * perStep + 1);
    expect(full.steps[0].t).toBe(1);
    const stepper = new Stepper(o);
    const total = HISTORY + 10;
    for (let t = 1; t <= total; t++) stepper.runToEndOfStep();
    // training steps total − HISTORY + 1 … total, every call of each
    expect(stepper.steps).toHaveLength(HISTORY * perStep);
    expect(stepper.steps[0].t).toBe(total - HISTORY + 1);
    expect(stepper.steps[0].fn).toBe("mlpForward");
    expect(stepper.steps[0].index).toBe(1 + (total - HISTORY) * perStep);
    expect(stepper.current.index).toBe(total * perStep);
    expect(stepper.steps.map((s) => s.index)).toEqual(Array.from({ length: HISTORY * perStep }, (_, i) => stepper.steps[0].index + i));
    expect(stepper.at(stepper.steps[0].index - 1)).toBeUndefined();
    expect(stepper.at(stepper.current.index)).toBe(stepper.current);
    expect(stepper.paramsAtForward(total - HISTORY)).toBeUndefined();
    expect(stepper.paramsAtForward(total - HISTORY + 1)).toBeDefined();
    expect(stepper.paramsAtForward(total)).toBeDefined();
    // what is kept is what a run that dropped nothing gives: the oldest kept training step's calls equal a fresh run's
    const again = new Stepper(o);
    for (let t = 1; t <= total - HISTORY + 1; t++) again.runToEndOfStep();
    const first = again.steps.filter((s) => s.t === total - HISTORY + 1);
    expect(stepper.steps.slice(0, perStep)).toEqual(first);
    // one more call starts training step total + 1 and drops the oldest kept training step
    stepper.next();
    expect(stepper.steps[0].t).toBe(total - HISTORY + 2);
    expect(stepper.steps).toHaveLength((HISTORY - 1) * perStep + 1);
  });

  it("bad options give one line starting coordnet:", () => {
    for (const bad of [{ width: 0 }, { depth: 9 }, { pixels: 17 }, { lr: -1 }, { seed: 1.5 }, { activation: "nope" }] as Partial<StepperOptions>[])
      expect(() => new Stepper({ ...DEFAULT_OPTIONS, ...bad })).toThrow(/^coordnet: [^\n]+$/);
  });
});
