/**
 * Backprop by hand: a 2→2→1 network (a ReLU hidden layer of two units, a sigmoid output) on one
 * sample, with every number printed — the forward pass, the loss, the backward pass layer by
 * layer, the same gradients in matrix form, a finite-difference check, and one Adam step. Every
 * number is computed by coordnet's reference implementation (`src/reference/`), in float64.
 *
 *     npx tsx examples/01-backprop-by-hand.ts
 *
 * The tutorial docs/backprop.md quotes this output; test/docs.test.ts checks that it is exactly
 * what this file prints.
 */

import {
  activationBackward,
  activationForward,
  adamStep,
  createAdamState,
  createGrads,
  createMLP,
  createTape,
  type DenseGrads,
  denseBackward,
  denseForward,
  type FloatArray,
  gradientArrays,
  type MLP,
  mlpBackward,
  mlpForward,
  mseBackward,
  mseForward,
  parameterArrays,
  Rng,
} from "coordnet/reference";

// ---------------------------------------------------------------------------------------------
// printing: 6 decimals, a space where the minus sign would be, so that columns line up
const num = (v: number) => (v < 0 ? "" : " ") + v.toFixed(6);
const vec = (a: ArrayLike<number>) => `[${Array.from(a, num).join(", ")}]`;
const mat = (a: ArrayLike<number>, rows: number, cols: number) =>
  `[${Array.from({ length: rows }, (_, r) => vec(Array.from(a).slice(r * cols, (r + 1) * cols))).join(", ")}]`;
const section = (name: string, what: string) => console.log(`\n--- ${name} ---\n${what}`);

// ---------------------------------------------------------------------------------------------
section("network", "2 inputs → dense 2→2 → ReLU → dense 2→1 → sigmoid → ŷ, float64");
const spec = { inputs: 2, outputs: 1, width: 2, depth: 1, activation: "relu", outputActivation: "sigmoid" } as const;
const mlp = createMLP(spec, new Rng(0, "init"), "torch", "float64");
// Replace the random initial weights with round numbers that can be followed on paper.
const [hidden, output] = mlp.layers;
hidden.weight.set([0.5, -0.4, -0.3, 0.8]); // W₀, row-major [2 outputs][2 inputs], as nn.Linear
hidden.bias.set([0.1, -0.2]);
output.weight.set([0.6, -1.2]); // W₁ [1][2]
output.bias.set([0.3]);
const x = Float64Array.of(0.25, 0.75); // one pixel coordinate [x, y]
const t = Float64Array.of(0.8); // its target (one channel, to keep it small)
console.log(`W₀ = ${mat(hidden.weight, 2, 2)}   b₀ = ${vec(hidden.bias)}`);
console.log(`W₁ = ${mat(output.weight, 1, 2)}   b₁ = ${vec(output.bias)}`);
console.log(`x  = ${vec(x)}   t = ${vec(t)}`);

// ---------------------------------------------------------------------------------------------
// Forward, one layer at a time with the reference's building blocks (what mlpForward loops over).
section("forward", "z = W·x + b, then a = act(z)");
const z0 = new Float64Array(2);
const a1 = new Float64Array(2);
const z1 = new Float64Array(1);
const yHat = new Float64Array(1);
denseForward(hidden, x, z0, 1);
activationForward("relu", z0, a1, 2);
denseForward(output, a1, z1, 1);
activationForward("sigmoid", z1, yHat, 1);
console.log(`z₀ = W₀·x + b₀  = ${vec(z0)}`);
console.log(`a₁ = relu(z₀)   = ${vec(a1)}   (the first unit is off: z₀[0] < 0)`);
console.log(`z₁ = W₁·a₁ + b₁ = ${vec(z1)}`);
console.log(`ŷ  = sigmoid(z₁) = ${vec(yHat)}`);
const tape = createTape(mlp, 3);
console.log(`mlpForward gives the same ŷ: ${mlpForward(mlp, tape, x, 1)[0] === yHat[0]}`);

// ---------------------------------------------------------------------------------------------
section("loss", "mean squared error over the n = 1 output, and its gradient");
const loss = mseForward(yHat, t, 1);
const dyHat = new Float64Array(1);
mseBackward(yHat, t, dyHat, 1);
console.log(`L      = (ŷ − t)²  = ${num(loss)}`);
console.log(`dL/dŷ  = 2·(ŷ − t) = ${num(dyHat[0])}`);

// ---------------------------------------------------------------------------------------------
// Backward, one layer at a time (what mlpBackward loops over, output layer first).
section("backward", "dz = da ⊙ act'(z);  dW = dzᵀ·a;  db = dz;  da_below = dz·W");
const g1: DenseGrads = { weight: new Float64Array(2), bias: new Float64Array(1) };
const g0: DenseGrads = { weight: new Float64Array(4), bias: new Float64Array(2) };
const dz1 = new Float64Array(1);
const da1 = new Float64Array(2);
const dz0 = new Float64Array(2);
const dx = new Float64Array(2);
activationBackward("sigmoid", z1, dyHat, dz1, 1);
denseBackward(output, a1, dz1, g1, da1, 1);
activationBackward("relu", z0, da1, dz0, 2);
denseBackward(hidden, x, dz0, g0, dx, 1);
console.log(`dz₁ = dL/dŷ · sigmoid'(z₁) = ${vec(dz1)}   (sigmoid'(z₁) = ŷ·(1 − ŷ) = ${num(yHat[0] * (1 - yHat[0]))})`);
console.log(`dW₁ = dz₁ᵀ·a₁ = ${mat(g1.weight, 1, 2)}`);
console.log(`db₁ = dz₁     = ${vec(g1.bias)}`);
console.log(`da₁ = dz₁·W₁  = ${vec(da1)}`);
console.log(`dz₀ = da₁ ⊙ relu'(z₀) = ${vec(dz0)}   (relu'(z₀) = [0, 1]: no gradient flows through the unit that is off)`);
console.log(`dW₀ = dz₀ᵀ·x  = ${mat(g0.weight, 2, 2)}`);
console.log(`db₀ = dz₀     = ${vec(g0.bias)}`);
console.log(`dx  = dz₀·W₀  = ${vec(dx)}   (not needed for training: the coordinates are not learnt)`);
const grads = createGrads(mlp);
const dxNet = mlpBackward(mlp, tape, dyHat, grads, 1, true) as FloatArray;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, k) => v === b[k]);
const allSame = same(grads[0].weight, g0.weight) && same(grads[0].bias, g0.bias) && same(grads[1].weight, g1.weight) && same(grads[1].bias, g1.bias);
console.log(`mlpBackward gives the same dW, db and dx: ${allSame && same(dxNet, dx)}`);

// ---------------------------------------------------------------------------------------------
// The loops in dense.ts compute two matrix products. For a batch of B samples,
// x [B][in], dz [B][out], W [out][in]:  dW = dzᵀ·x  [out][in],  dx = dz·W  [B][in],  db = Σ_b dz[b].
// Check it on a batch of three samples with a plain matrix product.
section("matrix-form", "dW = dzᵀ·x and dx = dz·W, on a batch of 3 samples, against the loops");
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number, transposeA = false): Float64Array {
  // c[i][j] = Σ_p a[i][p]·b[p][j]; with transposeA, a is stored [k][n] and read as its transpose
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transposeA ? a[p * n + i] : a[i * k + p]) * b[p * m + j];
      c[i * m + j] = s;
    }
  return c;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k])));
const xb = Float64Array.of(0.25, 0.75, 0.9, 0.1, 0.6, 0.4); // [3][2]
const tb = Float64Array.of(0.8, 0.2, 0.5);
const dOut = new Float64Array(3);
mseBackward(mlpForward(mlp, tape, xb, 3), tb, dOut, 3);
const dxb = mlpBackward(mlp, tape, dOut, grads, 3, true) as FloatArray;
// after mlpBackward, tape.da[l + 1] holds dz of layer l and tape.a[l] its input
for (const l of [1, 0]) {
  const layer = mlp.layers[l];
  const dz = tape.da[l + 1];
  const dW = matmul(dz, tape.a[l], layer.outputs, 3, layer.inputs, true);
  const db = matmul(new Float64Array(3).fill(1), dz, 1, 3, layer.outputs);
  console.log(
    `layer ${l}: dW = dzᵀ·a = ${mat(dW, layer.outputs, layer.inputs)}; max |matrix − loops| = ${maxDiff(dW, grads[l].weight)} (dW), ${maxDiff(db, grads[l].bias)} (db)`,
  );
}
const dxMat = matmul(tape.da[1], hidden.weight, 3, 2, 2);
console.log(`input:   dx = dz₀·W₀ = ${mat(dxMat, 3, 2)}; max |matrix − loops| = ${maxDiff(dxMat, dxb)}`);

// ---------------------------------------------------------------------------------------------
// The oracle: nudge each parameter by ±h, rerun the forward pass and the loss, and compare
// (L(p + h) − L(p − h)) / 2h with the gradient backprop gave. Float64 makes this meaningful:
// the error of a central difference is O(h²) plus rounding O(ε/h).
section("finite-differences", "(L(p + h) − L(p − h)) / 2h with h = 1e-6, against backprop, on the one sample");
function lossAt(input: FloatArray): number {
  return mseForward(mlpForward(mlp, tape, input, 1), t, 1);
}
const h = 1e-6;
function central(array: FloatArray, k: number, input: FloatArray): number {
  const saved = array[k];
  array[k] = saved + h;
  const plus = lossAt(input);
  array[k] = saved - h;
  const minus = lossAt(input);
  array[k] = saved;
  return (plus - minus) / (2 * h);
}
// a readable name for element k of parameter array i: W₀[j][i] (row-major [outputs][inputs]) or b₀[j]
const names = ["W₀", "b₀", "W₁", "b₁"];
const label = (i: number, k: number) => (i % 2 === 0 ? `${names[i]}[${Math.floor(k / 2)}][${k % 2}]` : `${names[i]}[${k}]`);
const params = parameterArrays(mlp);
const analytic = [g0.weight, g0.bias, g1.weight, g1.bias];
let worst = 0;
const row = (name: string, a: number, n: number) => {
  worst = Math.max(worst, Math.abs(a - n));
  console.log(`${name.padEnd(11)} backprop ${num(a)}   finite difference ${num(n)}   |diff| ${Math.abs(a - n).toExponential(1)}`);
};
params.forEach((p, i) => {
  for (let k = 0; k < p.length; k++) row(label(i, k), analytic[i][k], central(p, k, x));
});
const xCopy = Float64Array.from(x);
for (let k = 0; k < 2; k++) row(`x[${k}]`, dx[k], central(xCopy, k, xCopy));
console.log(`max |backprop − finite difference| = ${worst.toExponential(1)}`);

// ---------------------------------------------------------------------------------------------
// Gradients are overwritten, not accumulated: each weight is used once per sample, so the sum
// over the batch is the whole sum, and denseBackward computes it in one call (no zero_grad).
section("overwrite", "backward twice on the same sample");
mlpForward(mlp, tape, x, 1);
mlpBackward(mlp, tape, dyHat, grads, 1);
const first = gradientArrays(grads).map((a) => Float64Array.from(a));
mlpBackward(mlp, tape, dyHat, grads, 1);
console.log(`dW₀ after one call    = ${mat(first[0], 2, 2)}`);
console.log(`dW₀ after a second    = ${mat(grads[0].weight, 2, 2)}`);
console.log(`every gradient unchanged by the second call: ${gradientArrays(grads).every((a, i) => same(a, first[i]))}`);

// ---------------------------------------------------------------------------------------------
section("adam", "one step, lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8 (step t = 1, moments start at 0)");
function show(model: MLP, g: DenseGrads[]) {
  return { p: parameterArrays(model).map((a) => Float64Array.from(a)), g: gradientArrays(g) };
}
const before = show(mlp, grads);
const state = createAdamState(params);
adamStep(params, gradientArrays(grads), state, { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1e-3);
const cells = (first: string, rest: string[]) =>
  first.padEnd(10) +
  rest
    .map((c) => c.padEnd(14))
    .join("")
    .trimEnd();
console.log(cells("param", [" p before", " g", " m = 0.1·g", " v = 0.001·g²", " p after", " change"]));
before.p.forEach((p, i) => {
  for (let k = 0; k < p.length; k++) {
    const g = before.g[i][k];
    const after = params[i][k];
    console.log(cells(label(i, k), [num(p[k]), num(g), num(state.m[i][k]), ` ${state.v[i][k].toExponential(3)}`, num(after), num(after - p[k])]));
  }
});
console.log(`loss before the step ${num(loss)}, after ${num(lossAt(x))}`);
