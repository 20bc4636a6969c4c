import { afterAll, expect, it } from "vitest";
import { type Backend, compareBackends, wgslBackend } from "../dist/backends/index.js";
import type { KernelName } from "../dist/backends/webgpu/kernels.js";
import { WgslTrainer } from "../dist/backends/webgpu/trainer.js";
import { createMLP, type MLPSpec } from "../dist/reference/mlp.js";
import { Rng } from "../dist/reference/rng.js";
import { describeBackends, expectRanOn, teardown } from "./backends.js";

// The hand-written WGSL trainer (`webgpu`, src/backends/webgpu/): a kernel with a planted fault
// makes compareBackends fail (so the parity suite, which runs it against the reference in
// test/parity.test.ts, would catch it), and training resumed from getWeights/getOptimizerState
// is bit for bit the uninterrupted run.

const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** A trainer's options: `spec` with initial weights drawn from `seed`, batches of up to `maxBatch`. */
function trainerOptions(spec: MLPSpec, seed: number, maxBatch: number) {
  const weights = createMLP(spec, new Rng(seed, "init"), "torch").layers.map((l) => ({ weight: l.weight as Float32Array, bias: l.bias as Float32Array }));
  return { spec, adam, weights, maxBatch };
}

/** The WGSL backend with `replace` applied to one kernel's source (which must contain `from`). */
function faulty(kernel: KernelName, from: string, to: string): Backend {
  return {
    name: wgslBackend.name,
    description: `${wgslBackend.description}, with a fault planted in ${kernel}`,
    priority: wgslBackend.priority,
    probe: () => wgslBackend.probe(),
    create: (options) =>
      WgslTrainer.create(options, {
        mutate: (name, source) => {
          if (name !== kernel) return source;
          if (!source.includes(from)) throw new Error(`the ${kernel} kernel has no '${from}' to plant a fault in`);
          return source.replaceAll(from, to);
        },
      }),
  };
}

/** Faults a kernel engineer could make, one per kernel (and a second in the forward and grads). */
const FAULTS: [string, KernelName, string, string][] = [
  ["the forward skips each layer's first input (off by one)", "forward", "for (var i = 0u; i < n_in; i++)", "for (var i = 1u; i < n_in; i++)"],
  ["the forward forgets the bias", "forward", "= params[B_OFF[l] + min(j0", "= 0.0 * params[B_OFF[l] + min(j0"],
  ["the backward uses f instead of f' (a wrong derivative)", "backward", "let g = da * hidden_df(", "let g = da * hidden_f("],
  ["grads gives the bias column 0 (db lost)", "grads", "select(0.0, 1.0, i0 +", "select(0.0, 0.0, i0 +"],
  ["grads skips the batch's first sample (off by one)", "grads", "for (var n = 0u; n < step.count; n++)", "for (var n = 1u; n < step.count; n++)"],
  ["Adam forgets the second bias correction", "adam", "sqrt(v1) / step.bc2_sqrt", "sqrt(v1)"],
];

describeBackends(
  "the WGSL trainer",
  (backend) => {
    const spec = { inputs: 2, outputs: 3, width: 24, depth: 2, activation: "tanh", outputActivation: "sigmoid" } as const;

    it("passes compareBackends unaltered (the control for the planted faults)", async () => {
      const result = await compareBackends("reference", wgslBackend, { spec, batch: 40, steps: 2, seed: 3 });
      expectRanOn({ info: result.b } as never, backend);
      expect(result.pass).toBe(true);
    });

    for (const [what, kernel, from, to] of FAULTS)
      it(`fails compareBackends when ${what}`, async () => {
        const result = await compareBackends("reference", faulty(kernel, from, to), { spec, batch: 40, steps: 2, seed: 3 });
        expect(result.pass).toBe(false);
      });

    it("matches the reference with layers wider than workgroup memory holds (2100 units: activations read back from storage)", async () => {
      const wide = { inputs: 2, outputs: 3, width: 2100, depth: 2, activation: "gelu", outputActivation: "sigmoid" } as const;
      const result = await compareBackends("reference", wgslBackend, { spec: wide, batch: 5, steps: 2, seed: 8 });
      const failed = result.tensors.filter((t) => !t.pass).map((t) => `${t.name}: ${JSON.stringify(t.worst)}`);
      expect(failed).toEqual([]);
    });

    it("resumes bit for bit: weights and Adam's state set on a fresh trainer continue as the uninterrupted run", async () => {
      const spec = { inputs: 2, outputs: 3, width: 16, depth: 3, activation: "gelu", outputActivation: "sigmoid" } as const;
      const options = trainerOptions(spec, 4, 32);
      const N = 100;
      const rng = new Rng(5, "data");
      const inputs = Float32Array.from({ length: N * 2 }, () => rng.uniform(-1, 1));
      const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
      const orders = [0, 1, 2].map((e) => Uint32Array.from({ length: N }, (_, i) => (i * (7 + 4 * e) + e) % N));
      const whole = await WgslTrainer.create(options);
      const first = await WgslTrainer.create(options);
      const resumed = await WgslTrainer.create(options);
      try {
        expectRanOn(whole, backend);
        const losses: number[] = [];
        for (const order of orders) losses.push((await whole.epoch(inputs, targets, order, 32, 1e-2)).lossSum);
        // one epoch, then hand the state over to a fresh trainer, which trains the other two
        const resumedLosses = [(await first.epoch(inputs, targets, orders[0], 32, 1e-2)).lossSum];
        resumed.setWeights(await first.getWeights());
        resumed.setOptimizerState(await first.getOptimizerState());
        for (const order of orders.slice(1)) resumedLosses.push((await resumed.epoch(inputs, targets, order, 32, 1e-2)).lossSum);
        expect(resumedLosses).toEqual(losses);
        expect(await resumed.getWeights()).toEqual(await whole.getWeights());
        expect(await resumed.getOptimizerState()).toEqual(await whole.getOptimizerState());
        // and the state moved: the test is not comparing two untrained networks
        expect((await whole.getWeights())[0].weight).not.toEqual(options.weights[0].weight);
      } finally {
        for (const t of [whole, first, resumed]) await t.dispose();
      }
    });

    it("trains on what the arrays hold now: targets changed in place between epochs are uploaded again", async () => {
      const spec = { inputs: 2, outputs: 3, width: 8, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
      const options = trainerOptions(spec, 6, 16);
      const N = 48;
      const rng = new Rng(7, "data");
      const inputs = Float32Array.from({ length: N * 2 }, () => rng.uniform(-1, 1));
      const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
      const order = Uint32Array.from({ length: N }, (_, i) => i);
      const [inPlace, fresh] = [await WgslTrainer.create(options), await WgslTrainer.create(options)];
      try {
        await inPlace.epoch(inputs, targets, order, 16, 1e-2);
        await fresh.epoch(inputs.slice(), targets.slice(), order, 16, 1e-2);
        for (let k = 0; k < targets.length; k++) targets[k] = 1 - targets[k]; // the same array, new contents
        const a = await inPlace.epoch(inputs, targets, order, 16, 1e-2);
        const b = await fresh.epoch(inputs.slice(), targets.slice(), order, 16, 1e-2);
        expect(a.lossSum).toBe(b.lossSum);
        expect(await inPlace.getWeights()).toEqual(await fresh.getWeights());
      } finally {
        for (const t of [inPlace, fresh]) await t.dispose();
      }
    });

    it("resumes part-way through an epoch: an epoch stopped by afterBatch and continued with from/lossSum adds up as the whole one", async () => {
      const spec = { inputs: 2, outputs: 3, width: 8, depth: 1, activation: "relu", outputActivation: "identity" } as const;
      const options = trainerOptions(spec, 6, 1);
      // batch 1: more steps than one submission holds (MAX_STEPS), so afterBatch is consulted mid-epoch
      const N = 1100;
      const rng = new Rng(7, "data");
      const inputs = Float32Array.from({ length: N * 2 }, () => rng.uniform(-1, 1));
      const targets = Float32Array.from({ length: N * 3 }, () => rng.next());
      const order = Uint32Array.from({ length: N }, (_, i) => (i * 11) % N);
      const whole = await WgslTrainer.create(options);
      const split = await WgslTrainer.create(options);
      try {
        const done = await whole.epoch(inputs, targets, order, 1, 1e-3);
        const seen: number[] = [];
        const part = await split.epoch(inputs, targets, order, 1, 1e-3, {
          afterBatch: (next) => {
            seen.push(next);
            return true;
          },
        });
        expect(part.next).toBeLessThan(N);
        expect(seen).toEqual([part.next]);
        const rest = await split.epoch(inputs, targets, order, 1, 1e-3, { from: part.next, lossSum: part.lossSum });
        expect(rest).toEqual(done);
        expect(await split.getWeights()).toEqual(await whole.getWeights());
      } finally {
        for (const t of [whole, split]) await t.dispose();
      }
    });
  },
  ["webgpu"],
);

afterAll(teardown);
