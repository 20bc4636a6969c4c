/**
 * @module
 * The gpu.js kernels of one training step. Each is a plain function computing **one output cell
 * per thread** (gpu.js cannot scatter): a weight's gradient is "this weight's thread loops over
 * the batch". Widths, row offsets and the batch size are kernel `constants`, so no loop bound is a
 * runtime value (gpu.js cuts those at `loopMaxIterations`).
 *
 * A step is 3·L + 2 kernels for L layers (gpu.js gives a kernel one output, so fusing means
 * packing several results into one output array):
 *
 *     gather                      x = the batch's inputs                                  1
 *     dense, layer by layer       z[l] = W[l]·ACT(z[l−1]) + b[l]  (layer 0: ACT = identity) L
 *     output gradient + loss      dz of the output layer; one more row: the loss's terms    1
 *     weight gradient, from top   dW[l] and db[l] into the gradient pack                   L
 *     input gradient, from top    dz[l−1] = (dz[l]·W[l]) ⊙ ACT'(z[l−1])                    L − 1
 *     Adam                        every parameter's p, m and v at once                      1
 *
 * No activation has a kernel of its own: the forward writes pre-activations `z`, and whoever reads
 * a layer's input (the next dense, the weight gradient) applies the activation as it reads.
 *
 * Layouts (row-major, as in the reference): activations `[batch][features]`; a 2-D kernel with
 * output `[width, height]` runs thread (x, y) for cell `[y][x]`. Every parameter and both Adam
 * moments live in one **state pack** `S`, rows `[3·R][K]` with R = Σ_l nOut[l] and K = max_l
 * (nIn[l] + 1):
 *
 *     rows 0 … R−1      parameters: layer l's W[j][i] at S[row[l] + j][i], its b[j] at S[row[l] + j][nIn[l]]
 *     rows R … 2R−1     Adam's m, the same layout
 *     rows 2R … 3R−1    Adam's v, the same layout
 *
 * where row[l] = Σ_{k<l} nOut[k]; cells no layer uses are zero and stay zero (Adam leaves 0 at 0).
 * The **gradient pack** `G`, rows `[R][K]`, holds dW and db in the parameters' layout. Every index
 * comes straight from the thread ids plus constant offsets (no division: GPU index arithmetic in
 * floats has bitten gpu.js users).
 *
 * The activation and Adam formulas are the reference's own functions, handed to gpu.js through
 * `functions`. `ACT`, `ACT_GRAD`, `OUT` and `OUT_GRAD` are placeholders that {@link specialize}
 * replaces with the names of the chosen activations (`relu`, `reluGrad`, …) before gpu.js sees
 * the source.
 */

import { ACTIVATIONS, type ActivationName } from "../../reference/activations/index.js";
import { adamFirstMoment, adamSecondMoment, adamUpdate } from "../../reference/adam.js";

/** A thread's position in a kernel's output. */
export interface ThreadIndex {
  /** column (first output dimension) */
  readonly x: number;
  /** row (second output dimension) */
  readonly y: number;
  /** layer (third output dimension) */
  readonly z: number;
}

/** What gpu.js provides as `this` inside a kernel. */
export interface KernelThis {
  /** the cell this thread computes */
  readonly thread: ThreadIndex;
  /** the kernel's constants */
  readonly constants: Readonly<Record<string, number>>;
}

// Placeholders for the activation functions; specialize() swaps in the real names. The Adam
// formulas, by contrast, are imported: a bundler that renames a function (esbuild renames one whose
// name an unbound call elsewhere uses) then renames the calls in the kernels with it, and the
// names gpu.js reads from the kernel and from the function's source still agree.
declare function ACT(z: number): number;
declare function ACT_GRAD(z: number): number;
declare function OUT(z: number): number;
declare function OUT_GRAD(z: number): number;

/** A 2-D kernel argument or result: rows of floats. */
export type Matrix = Float32Array[];

/**
 * Batch gather, output `[F, B]`: x[n][i] = xs[(start + n)·F + i] for n < count, else 0 (the
 * padding rows of a short batch are zeros). `xs` is the epoch's inputs already in shuffled order,
 * so a batch is a contiguous slice.
 *
 * @example
 * ```ts
 * gpu.createKernel(gatherKernel, { output: [F, B], constants: { F } });
 * ```
 */
export function gatherKernel(this: KernelThis, xs: Float32Array, start: number, count: number): number {
  const n = this.thread.y;
  if (n >= count) return 0;
  return xs[(start + n) * this.constants.F + this.thread.x];
}

/**
 * Dense forward of layer l, output `[nOut, B]`; thread (j, n) computes sample n's pre-activation
 * of unit j, applying the activation of the layer below to its input as it reads it:
 * z[n][j] = b[j] + Σ_i ACT(zPrev[n][i])·W[j][i], with W and b read from the state pack at rows
 * `row + j` (layer 0 is specialized with ACT = identity: its input is x).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(denseKernel, names), { output: [nOut, B], constants: { nIn, row }, functions });
 * ```
 */
export function denseKernel(this: KernelThis, zPrev: Matrix, S: Matrix): number {
  const n = this.thread.y;
  const r = this.constants.row + this.thread.x;
  let sum = S[r][this.constants.nIn];
  for (let i = 0; i < this.constants.nIn; i++) sum += ACT(zPrev[n][i]) * S[r][i];
  return sum;
}

/**
 * Output activation, output `[nOut, B]`: ŷ[n][c] = OUT(z[n][c]) (for predictions).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(outputKernel, names), { output: [3, B], functions });
 * ```
 */
export function outputKernel(this: KernelThis, z: Matrix): number {
  return OUT(z[this.thread.y][this.thread.x]);
}

/**
 * The MSE loss's gradient through the output activation, and the loss, output `[C, B + 1]`, with
 * y[n][c] = ys[(start + n)·C + c] read straight from the epoch's targets:
 * - thread (c, n), n < B: dz[n][c] = 2·(OUT(z) − y)/(count·C) · OUT'(z) for n < count, else 0
 *   (padding rows of a short batch contribute nothing);
 * - thread (c, B), the extra row: channel c's share of the batch's loss,
 *   (1/(count·C)) Σ_{n<count} (OUT(z[n][c]) − y[n][c])²; the host adds the C shares.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(outputGradKernel, names), { output: [C, B + 1], constants: { B, C }, functions });
 * ```
 */
export function outputGradKernel(this: KernelThis, z: Matrix, ys: Float32Array, start: number, count: number): number {
  const c = this.thread.x;
  const C = this.constants.C;
  if (this.thread.y < this.constants.B) {
    const n = this.thread.y;
    if (n >= count) return 0;
    const v = z[n][c];
    return ((2 * (OUT(v) - ys[(start + n) * C + c])) / (count * C)) * OUT_GRAD(v);
  }
  let sum = 0;
  for (let n = 0; n < this.constants.B; n++) {
    if (n < count) {
      const d = OUT(z[n][c]) - ys[(start + n) * C + c];
      sum += d * d;
    }
  }
  return sum / (count * C);
}

/**
 * Layer l's weight and bias gradients, output `[K, R]` (the gradient pack, see the module's
 * comment): thread (i, r) with r = row + j in this layer's rows computes
 * dW[j][i] = Σ_n dz[n][j]·ACT(zPrev[n][i]) for i < nIn, db[j] = Σ_n dz[n][j] for i = nIn (the
 * bias as one more column). Every other cell is 0 — this is the top layer; the layers below use
 * {@link weightGradBelowKernel}, which also carries the rows of the layers above.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(weightGradKernel, names), { output: [K, R], constants: { B, nIn, nOut, row }, functions });
 * ```
 */
export function weightGradKernel(this: KernelThis, dz: Matrix, zPrev: Matrix): number {
  const i = this.thread.x;
  const j = this.thread.y - this.constants.row;
  if (j < 0 || j >= this.constants.nOut || i > this.constants.nIn) return 0;
  let sum = 0;
  if (i === this.constants.nIn) {
    for (let n = 0; n < this.constants.B; n++) sum += dz[n][j];
  } else {
    for (let n = 0; n < this.constants.B; n++) sum += dz[n][j] * ACT(zPrev[n][i]);
  }
  return sum;
}

/**
 * {@link weightGradKernel} for a layer below the top, output `[K, R]`: the same cells for its own
 * rows, and the rows of the layers above (r ≥ row + nOut) copied from `above`, the pack the layer
 * above wrote. The backward runs from the top, so the bottom layer's pack holds every gradient,
 * which is what Adam reads.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(weightGradBelowKernel, names), { output: [K, R], constants: { B, nIn, nOut, row }, functions });
 * ```
 */
export function weightGradBelowKernel(this: KernelThis, dz: Matrix, zPrev: Matrix, above: Matrix): number {
  const i = this.thread.x;
  const j = this.thread.y - this.constants.row;
  if (j >= this.constants.nOut) return above[this.thread.y][i];
  if (j < 0 || i > this.constants.nIn) return 0;
  let sum = 0;
  if (i === this.constants.nIn) {
    for (let n = 0; n < this.constants.B; n++) sum += dz[n][j];
  } else {
    for (let n = 0; n < this.constants.B; n++) sum += dz[n][j] * ACT(zPrev[n][i]);
  }
  return sum;
}

/**
 * Gradient into the layer below, through its activation, output `[nIn, B]`; thread (i, n):
 * dzPrev[n][i] = (Σ_j dz[n][j]·W[j][i]) · ACT'(zPrev[n][i]), W read from the state pack at rows
 * `row + j`.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(inputGradKernel, names), { output: [nIn, B], constants: { nOut, row }, functions });
 * ```
 */
export function inputGradKernel(this: KernelThis, dz: Matrix, S: Matrix, zPrev: Matrix): number {
  const n = this.thread.y;
  const i = this.thread.x;
  let sum = 0;
  for (let j = 0; j < this.constants.nOut; j++) sum += dz[n][j] * S[this.constants.row + j][i];
  return sum * ACT_GRAD(zPrev[n][i]);
}

/**
 * Adam over every parameter at once, output `[K, 3·R]`: the new state pack. Thread (i, y) works on
 * parameter cell (r, i) with r = y mod R, and returns the part of the pack it sits in:
 * m' = β₁·m + (1 − β₁)·g and v' = β₂·v + (1 − β₂)·g² (rows R … 3R − 1), or, in the parameter
 * rows, p' = p − stepSize·m'/(√v'/bc2Sqrt + ε) (each parameter thread recomputes its m' and v').
 * The bias corrections of step `step` of the call, stepSize = lr/(1 − β₁ᵗ) and
 * bc2Sqrt = √(1 − β₂ᵗ), come from the host in float64 (the reference's `adamCorrections`), one
 * entry per step of the plan, so that they can change between calls of a compiled pipeline and so
 * that no kernel evaluates 1 − β₂ᵗ itself: with β₂ = 0.999 that difference cancels all but the
 * last few bits of a float32 `β₂ᵗ`, and GLSL's `pow` is only promised to a few ulps: in WebGL2 on
 * SwiftShader every update came out 3·10⁻⁵ too large, and from those weights the next step's
 * gradients of a ReLU network moved by up to 5% (the reference computes the same from them: a
 * unit at its kink).
 *
 * @example
 * ```ts
 * gpu.createKernel(adamKernel, { output: [K, 3 * R], constants: { R, beta1, beta2, eps }, functions: [adamFirstMoment, adamSecondMoment, adamUpdate] });
 * ```
 */
export function adamKernel(this: KernelThis, S: Matrix, G: Matrix, stepSize: Float32Array, bc2Sqrt: Float32Array, step: number): number {
  const R = this.constants.R;
  const i = this.thread.x;
  let r = this.thread.y;
  if (r >= 2 * R) r = r - 2 * R;
  else if (r >= R) r = r - R;
  const g = G[r][i];
  const m = adamFirstMoment(S[R + r][i], g, this.constants.beta1);
  const v = adamSecondMoment(S[2 * R + r][i], g, this.constants.beta2);
  if (this.thread.y >= 2 * R) return v;
  if (this.thread.y >= R) return m;
  return adamUpdate(S[r][i], m, v, stepSize[step], bc2Sqrt[step], this.constants.eps);
}

/** Which activations fill the placeholders of a kernel. */
export interface ActivationNames {
  /** hidden activation, e.g. `relu` */
  readonly hidden: ActivationName;
  /** output activation, e.g. `sigmoid` */
  readonly output: ActivationName;
}

/**
 * The name a scalar function has inside kernels. gpu.js resolves `Math.x(...)` calls by name
 * against the functions it is given, so a function named like a `Math` member (`tanh`) would
 * capture the `Math.tanh` call inside `tanhGrad`; such a function is renamed (`tanhFn`) in kernel
 * sources, its body unchanged.
 *
 * @example
 * ```ts
 * kernelName("tanh"); // "tanhFn"
 * kernelName("gelu"); // "gelu"
 * ```
 */
export function kernelName(name: string): string {
  return name in Math ? `${name}Fn` : name;
}

/**
 * The function to hand to gpu.js: itself, or a copy built from its own source under its
 * {@link kernelName}.
 *
 * @example
 * ```ts
 * kernelFunction(tanh).name; // "tanhFn"
 * ```
 */
export function kernelFunction(f: (...args: number[]) => number): (...args: number[]) => number {
  const name = kernelName(f.name);
  if (name === f.name) return f;
  const source = f.toString().replace(new RegExp(`^function ${f.name}\\(`), `function ${name}(`);
  return new Function(`return ${source}`)() as (...args: number[]) => number;
}

/**
 * The kernel's source with the activation placeholders replaced: `ACT` → `relu`, `ACT_GRAD` →
 * `reluGrad`, `OUT` → `sigmoid`, `OUT_GRAD` → `sigmoidGrad` (through {@link kernelName}).
 *
 * @example
 * ```ts
 * specialize(denseKernel, { hidden: "gelu", output: "sigmoid" }); // source calling gelu(...)
 * ```
 */
export function specialize(kernel: (...args: never[]) => number, names: ActivationNames): string {
  // the functions' own names, not the activations' names: a bundler may have renamed them
  const hidden = ACTIVATIONS[names.hidden];
  const output = ACTIVATIONS[names.output];
  return kernel
    .toString()
    .replace(/\bACT_GRAD\(/g, `${kernelName(hidden.grad.name)}(`)
    .replace(/\bACT\(/g, `${kernelName(hidden.f.name)}(`)
    .replace(/\bOUT_GRAD\(/g, `${kernelName(output.grad.name)}(`)
    .replace(/\bOUT\(/g, `${kernelName(output.f.name)}(`);
}
