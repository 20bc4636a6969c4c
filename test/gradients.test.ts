import fc from "fast-check";
import { describe, it } from "vitest";
import { ACTIVATION_NAMES, type ActivationName } from "../src/reference/activations/index.js";
import { createDense, denseBackward, denseForward } from "../src/reference/dense.js";
import { createGrads, createMLP, createTape, mlpBackward, mlpForward } from "../src/reference/mlp.js";
import { mseBackward, mseForward } from "../src/reference/mse.js";
import { Rng } from "../src/reference/rng.js";
import { assertClose, finiteDifferences, probeLoss, randomArray } from "./helpers.js";

// All checks run in float64. Central differences with h = 1e-6 have truncation error
// ≈ h²·|L'''|/6 and rounding error ≈ ε·|L|/h ≈ 2e-10·|L|; for these small networks (|L| ≲ 10)
// both stay below 1e-7, so |analytic − FD| ≤ 1e-6 + 1e-6·|FD| is a bound with a 10× margin that
// any wrong term in a gradient (an error of order |gradient|) still breaks.
const H = 1e-6;
const ATOL = 1e-6;
const RTOL = 1e-6;
const KINK = 1e-4; // samples with a ReLU/ELU pre-activation within this of 0 are filtered out

const shape = fc.record({
  depth: fc.integer({ min: 1, max: 4 }),
  width: fc.integer({ min: 1, max: 16 }),
  inputs: fc.integer({ min: 1, max: 6 }),
  outputs: fc.integer({ min: 1, max: 4 }),
  batch: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
});

describe("dense layer: dW, db, dx equal finite differences of Σ probe·y", () => {
  it("for random shapes, inputs and probes", () => {
    fc.assert(
      fc.property(shape, ({ inputs, outputs, batch, seed }) => {
        const rng = new Rng(seed);
        const next = () => rng.next();
        const layer = createDense(inputs, outputs, "float64");
        layer.weight.set(randomArray(layer.weight.length, next));
        layer.bias.set(randomArray(layer.bias.length, next));
        const x = randomArray(batch * inputs, next, -2, 2);
        const probe = randomArray(batch * outputs, next);
        const y = new Float64Array(batch * outputs);
        const loss = () => {
          denseForward(layer, x, y, batch);
          return probeLoss(y, probe);
        };
        const grads = { weight: new Float64Array(layer.weight.length), bias: new Float64Array(outputs) };
        const dx = new Float64Array(batch * inputs);
        denseBackward(layer, x, probe, grads, dx, batch);
        assertClose(grads.weight, finiteDifferences(loss, layer.weight, H), ATOL, RTOL, "dW");
        assertClose(grads.bias, finiteDifferences(loss, layer.bias, H), ATOL, RTOL, "db");
        assertClose(dx, finiteDifferences(loss, x, H), ATOL, RTOL, "dx");
      }),
      { numRuns: 100 },
    );
  });
});

describe("MSE: dL/dp equals finite differences", () => {
  it("for random predictions and targets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 0x7fffffff }), (n, seed) => {
        const rng = new Rng(seed);
        const p = randomArray(n, () => rng.next(), -1, 2);
        const t = randomArray(n, () => rng.next(), 0, 1);
        const dp = new Float64Array(n);
        mseBackward(p, t, dp, n);
        assertClose(
          dp,
          finiteDifferences(() => mseForward(p, t, n), p, H),
          ATOL,
          RTOL,
          "dMSE/dp",
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe("whole MLP: every weight, bias and input gradient equals finite differences", () => {
  const outputActivations: ActivationName[] = ["sigmoid", "identity"];
  for (const activation of ACTIVATION_NAMES) {
    it(`hidden ${activation}`, () => {
      fc.assert(
        fc.property(shape, fc.constantFrom(...outputActivations), ({ depth, width, inputs, outputs, batch, seed }, outputActivation) => {
          const spec = { inputs, outputs, width, depth, activation, outputActivation };
          const rng = new Rng(seed);
          const mlp = createMLP(spec, rng, activation === "sine" ? "siren" : "torch", "float64");
          const tape = createTape(mlp, batch);
          const x = randomArray(batch * inputs, () => rng.next(), -1, 1);
          const probe = randomArray(batch * outputs, () => rng.next());
          mlpForward(mlp, tape, x, batch);
          if (activation === "relu" || activation === "elu") {
            for (const z of tape.z.slice(0, depth)) for (let k = 0; k < batch * width; k++) if (Math.abs(z[k]) < KINK) return; // filtered: at a kink
          }
          const grads = createGrads(mlp);
          const dx = mlpBackward(mlp, tape, probe, grads, batch, true);
          const loss = () => probeLoss(mlpForward(mlp, tape, x, batch), probe);
          mlp.layers.forEach((layer, l) => {
            assertClose(grads[l].weight, finiteDifferences(loss, layer.weight, H), ATOL, RTOL, `layer ${l} dW`);
            assertClose(grads[l].bias, finiteDifferences(loss, layer.bias, H), ATOL, RTOL, `layer ${l} db`);
          });
          assertClose(dx as Float64Array, finiteDifferences(loss, x, H), ATOL, RTOL, "dx");
        }),
        { numRuns: 40 },
      );
    });
  }
});
