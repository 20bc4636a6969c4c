import { afterAll, expect, it } from "vitest";
import { ReferenceTrainer, type Trainer, type TrainerOptions } from "../dist/backends/index.js";
import { createMLP } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { epochOrder } from "../dist/reference/shuffle.js";
import { type BackendCase, describeBackends, expectRanOn, teardown } from "./backends.js";

// Adam's step count past step 1. compareBackends starts every backend at t = 1, and resume.test.ts
// compares a backend only with itself, so a backend that counted Adam's steps from the start of
// each epoch (gpu.js's trainer with t = s + 1 instead of t = adamSteps + s + 1) would pass both.
// Here every backend resumes from the same optimizer state at step 1000 (moments set, as a
// checkpoint sets them) and trains 2 epochs of 3 steps; its weights must match the float32
// reference's. At t ≈ 1000, 1 − β₂ᵗ ≈ 0.63 and 1 − β₁ᵗ ≈ 1; at t = 1…3 they are 0.001…0.003 and
// 0.1…0.27, which shrinks every update by a factor of 2.5 to 4: the check below plants exactly
// that fault (the reference restarted at step 0 with the same moments) and asserts it is caught.

const spec = { inputs: 2, outputs: 3, width: 16, depth: 2, activation: "tanh", outputActivation: "sigmoid" } as const;
const LR = 1e-2;
const START = 1000;
const EPOCHS = 2;
const BATCH = 16;
const N = 40; // 3 steps per epoch, the last of 8 samples

const mlp = createMLP(spec, new Rng(3, "init"), "torch");
const options: TrainerOptions = {
  spec,
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  weights: mlp.layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array })),
  maxBatch: BATCH,
};
const rng = new Rng(3, "data");
const inputs = Float32Array.from({ length: N * spec.inputs }, () => rng.uniform(-1, 1));
const targets = Float32Array.from({ length: N * spec.outputs }, () => rng.next());
// Late-training moments: |m| in [0.5, 1]·1e-2 with either sign, v in [1, 2]·1e-4, so every update
// is ≈ lr·m/√v of 0.35–1 lr in size and sign set by m: none sits at a gradient's float32 noise
// floor (compareBackends's 2·k·lr escape for such entries is not needed).
const state = (step: number) => {
  const r = new Rng(3, "moments");
  const m = mlp.layers.flatMap((l) => [l.weight, l.bias].map((a) => Float32Array.from(a, () => (r.next() < 0.5 ? -1 : 1) * (0.5 + 0.5 * r.next()) * 1e-2)));
  const v = m.map((a) => Float32Array.from(a, () => (1 + r.next()) * 1e-4));
  return { step, m, v };
};

/** The weights after EPOCHS epochs from the optimizer state at `step`. */
async function train(trainer: Trainer, step: number): Promise<Float32Array[]> {
  trainer.setOptimizerState(state(step));
  const order = new Rng(3, "shuffle");
  for (let e = 0; e < EPOCHS; e++) await trainer.epoch(inputs, targets, epochOrder(N, order), BATCH, LR);
  expect((await trainer.getOptimizerState()).step).toBe(step + EPOCHS * Math.ceil(N / BATCH));
  return (await trainer.getWeights()).flatMap((w) => [Float32Array.from(w.weight), Float32Array.from(w.bias)]);
}

const before = options.weights?.flatMap((w) => [w.weight, w.bias]) ?? [];
const [expected, float64, planted] = await (async () => {
  const out = [];
  for (const [dtype, step] of [
    ["float32", START],
    ["float64", START],
    ["float32", 0],
  ] as const)
    out.push(await train(new ReferenceTrainer(options, dtype), step));
  return out;
})();

/**
 * compareBackends's bound for weights after Adam steps (src/backends/compare.ts, factor 1):
 * 20·|a − ref64| + 1e-4·scale + 1e-4·|a| + 1e-2·|a − before|. The entries out of it.
 */
function outOfBound(actual: Float32Array[], name = ""): string[] {
  const bad: string[] = [];
  let worst = 0;
  expected.forEach((a, k) => {
    const scale = a.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
    for (let i = 0; i < a.length; i++) {
      const bound = 20 * Math.abs(a[i] - float64[k][i]) + 1e-4 * scale + 1e-4 * Math.abs(a[i]) + 1e-2 * Math.abs(a[i] - before[k][i]);
      const err = Math.abs(actual[k][i] - a[i]);
      worst = Math.max(worst, err / bound);
      if (!(err <= bound)) bad.push(`tensor ${k}[${i}]: ${actual[k][i]} vs ${a[i]} (bound ${bound.toExponential(2)})`);
    }
  });
  if (name !== "") console.log(`  ${name}: worst weight at ${worst.toExponential(1)} of its bound`);
  return bad;
}

it("the check catches Adam's step count restarting at 1 (the planted fault: the reference resumed at step 0)", () => {
  const bad = outOfBound(planted);
  console.log(`  planted fault: ${bad.length} of ${expected.reduce((s, a) => s + a.length, 0)} weights out of bound`);
  // every update shrinks by a factor of 2.5 to 4, so nearly every weight is out of its bound
  expect(bad.length).toBeGreaterThan(0.9 * expected.reduce((s, a) => s + a.length, 0));
});

describeBackends("Adam resumed at step 1000", (backend: BackendCase) => {
  it(`${EPOCHS} epochs of ${Math.ceil(N / BATCH)} steps match the reference's weights`, async () => {
    const trainer = await backend.create(options);
    try {
      const weights = await train(trainer, START);
      expectRanOn(trainer, backend);
      expect(outOfBound(weights, backend.name)).toEqual([]);
    } finally {
      await trainer.dispose();
    }
  });
});

afterAll(teardown);
