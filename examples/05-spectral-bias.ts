/**
 * Spectral bias, measured: the neural tangent kernel of the study's network on raw coordinates and
 * on their positional encoding, what its eigenvalues predict for gradient descent, and what
 * training then does at each frequency.
 *
 *     npx tsx examples/05-spectral-bias.ts
 *
 * The tutorial [Spectral bias, measured](../docs/spectral-bias.md) walks through its output.
 */

import { ntkSpectra, signalSpectrum } from "coordnet";

const RANKS = [1, 2, 4, 8, 16, 32];

// The empirical NTK K(xᵢ, xⱼ) = ⟨∂f(xᵢ)/∂θ, ∂f(xⱼ)/∂θ⟩ of the study's network (4×128, ReLU, one
// input and one output here) at its initial weights, on 64 points of [0, 1), from the reference's
// backward pass in float64; then its eigenvalues, largest first.
const ntk = await ntkSpectra({ kinds: ["raw", "positional"], grids: ["1d"], trainedEpochs: 0 });
const eigenvalues = (kind: "raw" | "positional") => ntk.inputs[kind]?.kernels[0].eigenvalues ?? [];
const raw = eigenvalues("raw");
const positional = eigenvalues("positional");

console.log("--- ntk ---");
console.log("rank i   raw λᵢ/λ₁   positional λᵢ/λ₁");
for (const i of RANKS)
  console.log(
    `${String(i).padStart(6)}   ${(raw[i - 1] / raw[0]).toExponential(1).padStart(9)}   ${(positional[i - 1] / positional[0]).toExponential(1).padStart(16)}`,
  );

// Gradient descent on the linearised network, f_t = f_0 + J·(θ_t − θ_0), with loss ½‖f − y‖²:
// the error e = f − y obeys e_{t+1} = (I − η·K)·e_t, so its part along eigenvector i shrinks by
// (1 − η·λᵢ) a step. With the step η = 1/λ₁ (the largest that does not overshoot along v₁), the
// steps to halve it are ln 2 / −ln(1 − λᵢ/λ₁).
const halving = (ev: number[], i: number) => Math.log(2) / -Math.log(1 - ev[i - 1] / ev[0]);
console.log("--- linearised ---");
console.log("rank i   steps to halve, raw   positional");
for (const i of RANKS.slice(1))
  console.log(`${String(i).padStart(6)}   ${halving(raw, i).toPrecision(2).padStart(19)}   ${halving(positional, i).toPrecision(2).padStart(10)}`);

// Training for real (Adam, the presets' settings, the fastest backend here): a target of ten sines
// of equal amplitude at 2, 4, …, 20 cycles; the epoch at which each one's error falls below half
// its amplitude ("–": not within the run).
const epochs = 120;
const s = await signalSpectrum({ kinds: ["raw", "positional"], epochs, backend: "auto" });
console.log("--- training ---");
console.log(`frequency     ${s.frequencies.map((f) => String(f).padStart(4)).join("")}`);
for (const kind of ["raw", "positional"] as const)
  console.log(`${kind.padEnd(14)}${(s.inputs[kind]?.learnedAt ?? []).map((e) => (e === null ? "–" : String(e)).padStart(4)).join("")}`);
console.log(`(epochs of 256 samples, batch 32, on ${s.inputs.raw?.backend}; – = not below half within ${epochs} epochs)`);
