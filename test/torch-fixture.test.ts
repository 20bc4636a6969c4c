import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ReferenceTrainer } from "../src/backends/reference.js";
import type { LayerWeights } from "../src/backends/types.js";
import { gaussianForward, positionalForward } from "../src/encoding/index.js";
import type { ActivationName } from "../src/reference/activations/index.js";
import { adamStep, createAdamState } from "../src/reference/adam.js";
import { createGrads, createTape, gradientArrays, layerSizes, type MLP, mlpBackward, mlpForward, parameterArrays } from "../src/reference/mlp.js";
import { mseBackward, mseForward } from "../src/reference/mse.js";
import { stepLR } from "../src/reference/schedule.js";
import { assertClose } from "./helpers.js";

// Produced by scripts/make_torch_fixture.py with PyTorch 1.13 (float32); see that script.
interface Case {
  activation: ActivationName;
  outputActivation: ActivationName;
  inputs: number;
  width: number;
  depth: number;
  outputs: number;
  batch: number;
  x: number[];
  y: number[];
  initial: { weight: number[]; bias: number[] }[];
  output: number[];
  loss: number;
  grads: { weight: number[]; bias: number[] }[];
  inputGrad: number[];
  adam: {
    lr: number;
    stepEvery: number;
    gamma: number;
    steps: { lr: number; loss: number }[];
    after: { weight: number[]; bias: number[] }[];
    m: number[][];
    v: number[][];
  };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-reference.json", import.meta.url), "utf8")) as {
  cases: Case[];
  encodings: { points: number[]; frequencies: number; positional: number[]; B: number[]; gaussian: number[] };
};

// Tolerances. Both sides are float32 but sum in different orders (PyTorch: float32 BLAS;
// reference: float64 accumulators rounded once), so values differ by a few float32 ulps
// (ulp ≈ 6e-8 relative): 1e-6 absolute + 1e-5 relative covers that for values of order 1.
// Gradients are sums of products of such values, same bound. Sine's ω₀ = 30 multiplies rounding
// differences by 30 per layer, hence its 30× looser absolute bound.
// Adam divides by √v: after 3 steps a parameter moves by ≈ lr per step whatever the gradient's
// size, so a few-ulp difference in g becomes a few-ulp difference in m/√v; weights are compared
// with 1e-6 absolute (1e-4 of a step of lr = 0.01) and moments with 1e-5 relative.
const OUT = { atol: 1e-6, rtol: 1e-5 };
const GRAD = { atol: 1e-6, rtol: 1e-5 };
const ADAM_W = { atol: 1e-6, rtol: 1e-5 };
const MOMENT = { atol: 1e-9, rtol: 1e-5 };
const scale = (c: Case) => (c.activation === "sine" ? 30 : 1);

function buildMLP(c: Case): MLP {
  const spec = { inputs: c.inputs, outputs: c.outputs, width: c.width, depth: c.depth, activation: c.activation, outputActivation: c.outputActivation };
  const sizes = layerSizes(spec);
  return {
    spec,
    dtype: "float32",
    layers: c.initial.map((w, l) => ({ inputs: sizes[l], outputs: sizes[l + 1], weight: Float32Array.from(w.weight), bias: Float32Array.from(w.bias) })),
  };
}

describe("reference agrees with PyTorch 1.13", () => {
  it("covers all seven activations and both output activations", () => {
    expect(fixture.cases.map((c) => c.activation).sort()).toEqual(["elu", "gelu", "identity", "relu", "sigmoid", "sine", "tanh"]);
    expect(new Set(fixture.cases.map((c) => c.outputActivation))).toEqual(new Set(["sigmoid", "identity"]));
  });

  for (const c of fixture.cases) {
    describe(`${c.activation} (output ${c.outputActivation})`, () => {
      it("forward, loss, and every gradient", () => {
        const mlp = buildMLP(c);
        const tape = createTape(mlp, c.batch);
        const x = Float32Array.from(c.x);
        const y = Float32Array.from(c.y);
        const out = mlpForward(mlp, tape, x, c.batch);
        assertClose(out, c.output, OUT.atol * scale(c), OUT.rtol, "output");
        const n = c.batch * c.outputs;
        expect(Math.abs(mseForward(out, y, n) - c.loss)).toBeLessThanOrEqual(OUT.atol + OUT.rtol * c.loss);
        const dOut = new Float32Array(n);
        mseBackward(out, y, dOut, n);
        const grads = createGrads(mlp);
        const dx = mlpBackward(mlp, tape, dOut, grads, c.batch, true);
        c.grads.forEach((g, l) => {
          assertClose(grads[l].weight, g.weight, GRAD.atol * scale(c), GRAD.rtol, `layer ${l} dW`);
          assertClose(grads[l].bias, g.bias, GRAD.atol * scale(c), GRAD.rtol, `layer ${l} db`);
        });
        assertClose(dx as Float32Array, c.inputGrad, GRAD.atol * scale(c), GRAD.rtol, "dx");
      });

      it("3 Adam steps with a StepLR schedule: losses, learning rates, weights, moments", () => {
        const mlp = buildMLP(c);
        const tape = createTape(mlp, c.batch);
        const x = Float32Array.from(c.x);
        const y = Float32Array.from(c.y);
        const n = c.batch * c.outputs;
        const grads = createGrads(mlp);
        const state = createAdamState(parameterArrays(mlp));
        const dOut = new Float32Array(n);
        c.adam.steps.forEach((s, t) => {
          const lr = stepLR(c.adam.lr, t, c.adam.stepEvery, c.adam.gamma);
          expect(lr).toBe(s.lr);
          const out = mlpForward(mlp, tape, x, c.batch);
          expect(Math.abs(mseForward(out, y, n) - s.loss)).toBeLessThanOrEqual(OUT.atol * scale(c) + OUT.rtol * s.loss);
          mseBackward(out, y, dOut, n);
          mlpBackward(mlp, tape, dOut, grads, c.batch);
          adamStep(parameterArrays(mlp), gradientArrays(grads), state, { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, lr);
        });
        c.adam.after.forEach((w, l) => {
          assertClose(mlp.layers[l].weight, w.weight, ADAM_W.atol * scale(c), ADAM_W.rtol, `layer ${l} W after Adam`);
          assertClose(mlp.layers[l].bias, w.bias, ADAM_W.atol * scale(c), ADAM_W.rtol, `layer ${l} b after Adam`);
        });
        state.m.forEach((m, k) => {
          assertClose(m, c.adam.m[k], MOMENT.atol * scale(c), MOMENT.rtol * scale(c), `m[${k}]`);
        });
        state.v.forEach((v, k) => {
          assertClose(v, c.adam.v[k], MOMENT.atol * scale(c) ** 2, MOMENT.rtol * scale(c), `v[${k}]`);
        });
      });

      it("the reference trainer's step does the same as the pieces", async () => {
        const mlp = buildMLP(c);
        const weights: LayerWeights[] = mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array }));
        const trainer = new ReferenceTrainer({ spec: mlp.spec, adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, weights, maxBatch: c.batch });
        for (const [t, s] of c.adam.steps.entries()) {
          const loss = await trainer.step(Float32Array.from(c.x), Float32Array.from(c.y), c.batch, stepLR(c.adam.lr, t, c.adam.stepEvery, c.adam.gamma));
          expect(Math.abs(loss - s.loss)).toBeLessThanOrEqual(OUT.atol * scale(c) + OUT.rtol * s.loss);
        }
        (await trainer.getWeights()).forEach((w, l) => {
          assertClose(w.weight, c.adam.after[l].weight, ADAM_W.atol * scale(c), ADAM_W.rtol, `layer ${l} W`);
        });
        expect((await trainer.getOptimizerState()).step).toBe(3);
      });
    });
  }

  it("positional and Gaussian encodings", () => {
    const e = fixture.encodings;
    const p = Float32Array.from(e.points);
    const count = p.length / 2;
    const pos = new Float32Array(count * 4 * e.frequencies);
    positionalForward(p, pos, count, 2, { frequencies: e.frequencies, includeInput: false });
    // sin/cos of arguments up to 16π: float32 rounding of the argument (≈ 1e-6 absolute) dominates
    assertClose(pos, e.positional, 1e-5, 0, "positional");
    const B = Float32Array.from(e.B);
    const gauss = new Float32Array(count * B.length);
    gaussianForward(p, gauss, count, 2, B);
    // arguments 2π·Bp reach ~40: float32 argument rounding ≈ 4e-6
    assertClose(gauss, e.gaussian, 2e-5, 0, "gaussian");
  });
});
