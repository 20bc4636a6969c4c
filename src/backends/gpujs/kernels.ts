/**
 * @module
 * The gpu.js kernels of one training step. Each is a plain function computing **one output cell
 * per thread** (gpu.js cannot scatter): a weight's gradient is "this weight's thread loops over
 * the batch". Widths and the batch size are kernel `constants`, so no loop bound is a runtime
 * value (gpu.js cuts those at `loopMaxIterations`).
 *
 * Layouts (row-major, as in the reference): activations `[batch][features]`, weights
 * `[outputs][inputs]`; a 2-D kernel with output `[width, height]` runs thread (x, y) for cell
 * `[y][x]`. Weight matrices and their Adam moments are 2-D (`W[j][i]`), biases 1-D, so every
 * index comes straight from the thread ids (no division: GPU index arithmetic in floats has
 * bitten gpu.js users).
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
 * Batch gather, output `[F, B]`: x[n][i] = xs[(start + n)·F + i] for n < count, else 0.
 * `xs` is the epoch's inputs already in shuffled order, so a batch is a contiguous slice.
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
 * Dense forward, output `[nOut, B]`: z[n][j] = b[j] + Σ_i x[n][i]·W[j][i].
 *
 * @example
 * ```ts
 * gpu.createKernel(denseForwardKernel, { output: [nOut, B], constants: { nIn } });
 * ```
 */
export function denseForwardKernel(this: KernelThis, x: Matrix, W: Matrix, b: Float32Array): number {
  const n = this.thread.y;
  const j = this.thread.x;
  let sum = b[j];
  for (let i = 0; i < this.constants.nIn; i++) sum += x[n][i] * W[j][i];
  return sum;
}

/**
 * Hidden activation, output `[nOut, B]`: a[n][j] = ACT(z[n][j]).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(activationKernel, names), { output: [nOut, B], functions });
 * ```
 */
export function activationKernel(this: KernelThis, z: Matrix): number {
  return ACT(z[this.thread.y][this.thread.x]);
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
 * MSE gradient through the output activation, output `[C, B]`:
 * dz[n][c] = 2·(OUT(z) − y)/(count·C) · OUT'(z) for n < count, else 0 (padding rows of a short
 * batch contribute nothing).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(outputGradKernel, names), { output: [C, B], constants: { C }, functions });
 * ```
 */
export function outputGradKernel(this: KernelThis, z: Matrix, y: Matrix, count: number): number {
  const n = this.thread.y;
  if (n >= count) return 0;
  const v = z[n][this.thread.x];
  return ((2 * (OUT(v) - y[n][this.thread.x])) / (count * this.constants.C)) * OUT_GRAD(v);
}

/**
 * The batch's MSE loss, output `[1]`: (1/(count·C)) Σ_{n<count} Σ_c (OUT(z[n][c]) − y[n][c])².
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(lossKernel, names), { output: [1], constants: { B, C }, functions });
 * ```
 */
export function lossKernel(this: KernelThis, z: Matrix, y: Matrix, count: number): number {
  let sum = 0;
  for (let n = 0; n < this.constants.B; n++) {
    if (n < count) {
      for (let c = 0; c < this.constants.C; c++) {
        const d = OUT(z[n][c]) - y[n][c];
        sum += d * d;
      }
    }
  }
  return sum / (count * this.constants.C);
}

/**
 * Weight gradient, output `[nIn, nOut]`: dW[j][i] = Σ_n dz[n][j]·a[n][i].
 *
 * @example
 * ```ts
 * gpu.createKernel(weightGradKernel, { output: [nIn, nOut], constants: { B } });
 * ```
 */
export function weightGradKernel(this: KernelThis, dz: Matrix, a: Matrix): number {
  const j = this.thread.y;
  const i = this.thread.x;
  let sum = 0;
  for (let n = 0; n < this.constants.B; n++) sum += dz[n][j] * a[n][i];
  return sum;
}

/**
 * Bias gradient, output `[nOut]`: db[j] = Σ_n dz[n][j].
 *
 * @example
 * ```ts
 * gpu.createKernel(biasGradKernel, { output: [nOut], constants: { B } });
 * ```
 */
export function biasGradKernel(this: KernelThis, dz: Matrix): number {
  let sum = 0;
  for (let n = 0; n < this.constants.B; n++) sum += dz[n][this.thread.x];
  return sum;
}

/**
 * Gradient into the layer below, through its activation, output `[nIn, B]`:
 * dz_prev[n][i] = (Σ_j dz[n][j]·W[j][i]) · ACT'(z_prev[n][i]).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(inputGradKernel, names), { output: [nIn, B], constants: { nIn, nOut }, functions });
 * ```
 */
export function inputGradKernel(this: KernelThis, dz: Matrix, W: Matrix, zPrev: Matrix): number {
  const n = this.thread.y;
  const i = this.thread.x;
  let sum = 0;
  for (let j = 0; j < this.constants.nOut; j++) sum += dz[n][j] * W[j][i];
  return sum * ACT_GRAD(zPrev[n][i]);
}

/**
 * Adam's first moment for a flat parameter array, output `[size]`.
 *
 * @example
 * ```ts
 * gpu.createKernel(adamMKernel, { output: [size], constants: { beta1 }, functions: [adamFirstMoment] });
 * ```
 */
export function adamMKernel(this: KernelThis, m: Float32Array, g: Float32Array): number {
  return adamFirstMoment(m[this.thread.x], g[this.thread.x], this.constants.beta1);
}

/**
 * Adam's first moment for a weight matrix, output `[nIn, nOut]`.
 *
 * @example
 * ```ts
 * gpu.createKernel(adamMMatrixKernel, { output: [nIn, nOut], constants: { beta1 }, functions: [adamFirstMoment] });
 * ```
 */
export function adamMMatrixKernel(this: KernelThis, m: Matrix, g: Matrix): number {
  return adamFirstMoment(m[this.thread.y][this.thread.x], g[this.thread.y][this.thread.x], this.constants.beta1);
}

/**
 * Adam's second moment, output `[size]`.
 *
 * @example
 * ```ts
 * gpu.createKernel(adamVKernel, { output: [size], constants: { beta2 }, functions: [adamSecondMoment] });
 * ```
 */
export function adamVKernel(this: KernelThis, v: Float32Array, g: Float32Array): number {
  return adamSecondMoment(v[this.thread.x], g[this.thread.x], this.constants.beta2);
}

/**
 * Adam's second moment for a weight matrix (2-D gradient), output `[nIn, nOut]`.
 *
 * @example
 * ```ts
 * gpu.createKernel(adamVMatrixKernel, { output: [nIn, nOut], constants: { beta2 }, functions: [adamSecondMoment] });
 * ```
 */
export function adamVMatrixKernel(this: KernelThis, v: Matrix, g: Matrix): number {
  return adamSecondMoment(v[this.thread.y][this.thread.x], g[this.thread.y][this.thread.x], this.constants.beta2);
}

/**
 * Adam's parameter update, output `[size]`: p − stepSize·m/(√v/bc2Sqrt + ε) with the bias
 * corrections of step `step` of the call, stepSize = lr/(1 − β₁ᵗ) and bc2Sqrt = √(1 − β₂ᵗ). The
 * host computes them in float64 (the reference's `adamCorrections`) and passes one entry per step
 * of the plan, so that they can change between calls of a compiled pipeline and so that no kernel
 * evaluates 1 − β₂ᵗ itself: with β₂ = 0.999 that difference cancels all but the last few bits of a
 * float32 `β₂ᵗ`, and GLSL's `pow` is only promised to a few ulps: in WebGL2 on SwiftShader every
 * update came out 3·10⁻⁵ too large, and from those weights the next step's gradients of a ReLU
 * network moved by up to 5% (the reference computes the same from them: a unit at its kink).
 *
 * @example
 * ```ts
 * gpu.createKernel(adamPKernel, { output: [size], constants: { eps }, functions: [adamUpdate] });
 * ```
 */
export function adamPKernel(
  this: KernelThis,
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  stepSize: Float32Array,
  bc2Sqrt: Float32Array,
  step: number,
): number {
  return adamUpdate(p[this.thread.x], m[this.thread.x], v[this.thread.x], stepSize[step], bc2Sqrt[step], this.constants.eps);
}

/**
 * Adam's update for a weight matrix, output `[nIn, nOut]`, with the bias corrections of
 * {@link adamPKernel}.
 *
 * @example
 * ```ts
 * gpu.createKernel(adamPMatrixKernel, { output: [nIn, nOut], constants: { eps }, functions: [adamUpdate] });
 * ```
 */
export function adamPMatrixKernel(this: KernelThis, p: Matrix, m: Matrix, v: Matrix, stepSize: Float32Array, bc2Sqrt: Float32Array, step: number): number {
  const j = this.thread.y;
  const i = this.thread.x;
  return adamUpdate(p[j][i], m[j][i], v[j][i], stepSize[step], bc2Sqrt[step], this.constants.eps);
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
 * specialize(activationKernel, { hidden: "gelu", output: "sigmoid" }); // source calling gelu(...)
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
