import { describe, expect, it } from "vitest";
import { type Backend, compareBackends, ReferenceTrainer, type TrainerOptions } from "../dist/backends/index.js";

// compareBackends is the kernel check users run: on a correct backend it passes, and a planted bug
// — in the gradients, or in the optimiser step only — fails it on the tensors the bug touches.
function broken(name: string, make: (options: TrainerOptions) => ReferenceTrainer): Backend {
  return { name, description: "the reference with a planted bug", priority: -100, probe: async () => ({ available: true }), create: async (o) => make(o) };
}

/** Backprop that forgets the 1/N of the mean in the last layer's bias gradient. */
class UnscaledBias extends ReferenceTrainer {
  override async gradients(x: Float32Array, y: Float32Array, count: number) {
    const g = await super.gradients(x, y, count);
    const last = g.grads[g.grads.length - 1].bias;
    for (let k = 0; k < last.length; k++) last[k] *= count;
    return g;
  }
}

/** A step whose learning rate is 1.5× the one asked for. */
class WrongRate extends ReferenceTrainer {
  override stepNow(x: Float32Array, y: Float32Array, count: number, lr: number): number {
    return super.stepNow(x, y, count, 1.5 * lr);
  }
}

describe("compareBackends", () => {
  it("passes wasm against the reference with its defaults (the study's network, one batch of 1024, 3 steps)", async () => {
    const result = await compareBackends("reference", "wasm");
    expect(result.b.backend).toBe("wasm");
    expect([result.spec.width, result.spec.depth, result.batch, result.steps]).toEqual([128, 4, 1024, 3]);
    expect(result.tensors.map((t) => t.name)).toContain("grad layers.4.bias");
    expect(result.tensors.filter((t) => !t.pass)).toEqual([]);
    expect(result.pass).toBe(true);
  });

  const spec = { inputs: 2, outputs: 3, width: 16, depth: 2, activation: "relu", outputActivation: "sigmoid" } as const;

  it("fails a backend whose gradients are wrong, on those gradients", async () => {
    const result = await compareBackends(
      "reference",
      broken("unscaled-bias", (o) => new UnscaledBias(o)),
      { spec, batch: 64, steps: 2 },
    );
    expect(result.pass).toBe(false);
    expect(result.tensors.filter((t) => !t.pass).map((t) => t.name)).toEqual(["grad layers.2.bias"]);
  });

  it("fails a backend whose step is wrong, on the weights after the steps", async () => {
    const result = await compareBackends(
      "reference",
      broken("wrong-rate", (o) => new WrongRate(o)),
      { spec, batch: 64, steps: 2 },
    );
    expect(result.pass).toBe(false);
    const failed = result.tensors.filter((t) => !t.pass).map((t) => t.name);
    expect(failed.some((n) => n.endsWith("after 2 steps"))).toBe(true);
    // what happens before the first step is right; only the steps and what follows from them differ
    expect(failed.every((n) => /after 2 steps$|^mean loss|^adam\.(m|v) /.test(n))).toBe(true);
    expect(result.tensors.filter((t) => /^(predict|forward|loss|grad )/.test(t.name)).every((t) => t.pass)).toBe(true);
  });

  it("refuses options out of range in one line", async () => {
    await expect(compareBackends("reference", "reference", { batch: 0 })).rejects.toThrow(/^compareBackends: batch must be an integer from 1 to 65536, got 0$/);
  });
});
