// The training step is written once, in src/reference/step.ts; the reference backend runs it and
// the backprop stepper (web/stepper-core.ts) makes the same calls one at a time. These tests hold
// the stepper to that file: its calls, grouped by the reference function that makes them, come in
// trainStep's order, and a whole stepper step leaves the parameters and Adam's state bit for bit
// where trainStep leaves them (same functions, same arrays, same order: no tolerance).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createAdamState, createMLP, createStepBuffers, parameterArrays, Rng, trainStep } from "../dist/reference/index.js";
import { extractRegion } from "../scripts/docs-snippets.js";
import { ADAM, batchOf, DEFAULT_OPTIONS, Stepper, type StepperOptions } from "../web/stepper-core.js";

/** The reference functions a region of step.ts calls, in order (trainStep's call of lossAndGradients opened). */
function stepCalls(): string[] {
  const text = readFileSync("src/reference/step.ts", "utf8");
  const code = (region: string) => extractRegion(text, region).replace(/\/\/.*$/gm, ""); // comments dropped: "f(x)" is no call
  const calls = (region: string) => [...code(region).matchAll(/\b(\w+)\(/g)].map((m) => m[1]);
  return calls("trainStep").flatMap((c) => (c === "lossAndGradients" ? calls("lossAndGradients") : [c]));
}

/** Which of trainStep's calls a stepper call belongs to (mlpForward's and mlpBackward's loops are opened in the stepper). */
const caller: Record<string, string> = {
  mlpForward: "mlpForward",
  denseForward: "mlpForward",
  activationForward: "mlpForward",
  mseForward: "mseForward",
  mseBackward: "mseBackward",
  mlpBackward: "mlpBackward",
  activationBackward: "mlpBackward",
  denseBackward: "mlpBackward",
  adamStep: "adamStep",
};

const OPTIONS: StepperOptions[] = [
  DEFAULT_OPTIONS,
  { ...DEFAULT_OPTIONS, dtype: "float32", activation: "gelu", width: 5, depth: 3, pixels: 9, seed: 3 },
  { ...DEFAULT_OPTIONS, activation: "sine", outputActivation: "identity", pixels: 16, seed: 11 },
];

describe("the training step, written once (src/reference/step.ts)", () => {
  it("the stepper makes trainStep's calls in trainStep's order", () => {
    const expected = stepCalls();
    // parameterArrays and gradientArrays only hand Adam its arrays
    expect(expected.filter((c) => c in caller)).toEqual(["mlpForward", "mseForward", "mseBackward", "mlpBackward", "adamStep"]);
    const stepper = new Stepper(DEFAULT_OPTIONS);
    const fns: string[] = [];
    for (;;) {
      const step = stepper.next();
      fns.push(step.fn);
      if (step.fn === "adamStep") break;
    }
    const grouped = fns.map((f) => caller[f]).filter((c, i, all) => c !== all[i - 1]);
    expect(grouped).toEqual(expected.filter((c) => c in caller));
  });

  it.each(OPTIONS)("three stepper steps leave the parameters and Adam's state where three trainSteps do (%o)", (o) => {
    const stepper = new Stepper(o);
    for (let t = 0; t < 3; t++) stepper.runToEndOfStep();
    // built here, not from the stepper's helpers: an independent MLP from the same seed
    const spec = { inputs: 2, outputs: 1, width: o.width, depth: o.depth, activation: o.activation, outputActivation: o.outputActivation };
    const mlp = createMLP(spec, new Rng(o.seed, "init"), o.activation === "sine" ? "siren" : "torch", o.dtype);
    const { x, target } = batchOf(o);
    const buffers = createStepBuffers(mlp, o.pixels);
    const adam = createAdamState(parameterArrays(mlp));
    const losses = [0, 1, 2].map(() => trainStep(mlp, buffers, adam, ADAM, x, target, o.pixels, o.lr));
    expect(parameterArrays(stepper.mlp).map((p) => Array.from(p))).toEqual(parameterArrays(mlp).map((p) => Array.from(p)));
    expect(stepper.adam.step).toBe(3);
    expect(adam.step).toBe(3);
    expect(stepper.adam.m.map((a) => Array.from(a))).toEqual(adam.m.map((a) => Array.from(a)));
    expect(stepper.adam.v.map((a) => Array.from(a))).toEqual(adam.v.map((a) => Array.from(a)));
    // the loss of the third step, before its update: the stepper's mseForward of that step
    expect(stepper.loss[0]).toBe(losses[2]);
  });
});
