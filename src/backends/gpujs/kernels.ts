/**
 * @module
 * The gpu.js kernels of one training step. Each is a plain function computing **one output cell
 * per thread** (gpu.js cannot scatter): a weight's gradient is "this weight's thread loops over
 * the batch". Widths, row offsets and the batch size are kernel `constants`, so no loop bound is a
 * runtime value (gpu.js cuts those at `loopMaxIterations`).
 *
 * A step is 3·L + ⌈L/5⌉ kernels for L layers — at most 3·L + 2 up to L = 10 (gpu.js gives a
 * kernel one output, so fusing means packing several results into one output array):
 *
 *     dense, layer by layer      z[l] = W[l]·ACT(z[l−1]) + b[l]  (layer 0 reads x itself)   L
 *     output gradient + loss     dz of the output layer; one more row: the loss's terms      1
 *     weight gradient, from top  dW[l] with db[l] as one more row                           L
 *     input gradient, from top   dz[l−1] = (dz[l]·W[l]) ⊙ ACT'(z[l−1])                      L − 1
 *     Adam                       p, m and v of five layers' parameters at once              ⌈L/5⌉
 *
 * No activation has a kernel of its own: the forward writes pre-activations `z`, and whoever reads
 * a layer's input (the next dense, the weight gradient) applies the activation as it reads it. Nor
 * has the batch: layer 0's kernels read their rows of the epoch's inputs where they lie.
 *
 * Layouts: activations row-major `[batch][features]`, as in the reference; a 2-D kernel with
 * output `[width, height]` runs thread (x, y) for cell `[y][x]`. Weights are stored **transposed**,
 * `Wᵀ[i][j]` = W[j][i], with the bias as one more row, `Wᵀ[nIn][j]` = b[j]: so a thread's output
 * unit j is its `thread.x`, and what gpu.js's WebAssembly mode runs side by side in SIMD lanes
 * (consecutive x) reads consecutive memory, while the row (bias or weight, which input) is the
 * same for all of them. Every parameter and both Adam moments live in one **state pack** `S`,
 * rows `[3·R][K]` with R = Σ_l (nIn[l] + 1) and K = max_l nOut[l]:
 *
 *     rows 0 … R−1      parameters: layer l's Wᵀ (bias last) at rows row[l] … row[l] + nIn[l]
 *     rows R … 2R−1     Adam's m, the same layout
 *     rows 2R … 3R−1    Adam's v, the same layout
 *
 * where row[l] = Σ_{k<l} (nIn[k] + 1); columns past a layer's nOut are zero and stay zero (Adam
 * leaves 0 at 0). A layer's gradient, `[nIn + 1][K]`, has the layout of its rows in the pack.
 * Every index comes straight from the thread ids plus constant offsets (no division: GPU index
 * arithmetic in floats has bitten gpu.js users).
 *
 * The activation and Adam formulas are the reference's own functions, handed to gpu.js through
 * `functions`. `ACT`, `ACT_GRAD`, `OUT` and `OUT_GRAD` are placeholders that {@link specialize}
 * replaces with the chosen activations (`relu`, `reluGrad`, …) before gpu.js sees the source.
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
 * Dense forward of layer 0, output `[nOut, B]`; thread (j, n) computes sample n's pre-activation
 * of unit j from the batch's inputs where they lie in the epoch's (shuffled) inputs `xs`:
 * z[n][j] = b[j] + Σ_i xs[(start + n)·nIn + i]·W[j][i] for n < count, else 0 (the padding rows of
 * a short batch), W and b read from the state pack's rows `row … row + nIn` (transposed). The
 * pack's row is counted alongside i rather than written `S[row + i]`: gpu.js's WebAssembly mode
 * ran that index 2.5× slower.
 *
 * @example
 * ```ts
 * gpu.createKernel(denseInputKernel, { output: [nOut, B], constants: { nIn, row } });
 * ```
 */
export function denseInputKernel(this: KernelThis, xs: Float32Array, S: Matrix, start: number, count: number): number {
  const n = this.thread.y;
  const j = this.thread.x;
  if (n >= count) return 0;
  const x0 = (start + n) * this.constants.nIn; // this sample's first input in xs
  let sum = S[this.constants.row + this.constants.nIn][j];
  let r = this.constants.row; // the pack's row of input i
  for (let i = 0; i < this.constants.nIn; i++) {
    sum += xs[x0 + i] * S[r][j];
    r += 1;
  }
  return sum;
}

/**
 * Dense forward of layer l > 0, output `[nOut, B]`; thread (j, n) computes sample n's
 * pre-activation of unit j, applying the activation of the layer below to its input as it reads:
 * z[n][j] = b[j] + Σ_i ACT(zPrev[n][i])·W[j][i], W and b read from the state pack as in
 * {@link denseInputKernel}: rows `row … row + nIn`, the bias last.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(denseKernel, names), { output: [nOut, B], constants: { nIn, row }, functions });
 * ```
 */
export function denseKernel(this: KernelThis, zPrev: Matrix, S: Matrix): number {
  const n = this.thread.y;
  const j = this.thread.x;
  let sum = S[this.constants.row + this.constants.nIn][j];
  let r = this.constants.row; // the pack's row of input i
  for (let i = 0; i < this.constants.nIn; i++) {
    sum += ACT(zPrev[n][i]) * S[r][j];
    r += 1;
  }
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
 * y[n][c] = ys[(start + n)·C + c] read where it lies in the epoch's (shuffled) targets:
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
  // (written so that a bundler that drops braces leaves no declaration as the body of an `if`:
  // gpu.js's JavaScript and GLSL translations then lose it)
  let sum = 0;
  for (let n = 0; n < this.constants.B; n++) {
    let d = 0;
    if (n < count) d = OUT(z[n][c]) - ys[(start + n) * C + c];
    sum += d * d;
  }
  return sum / (count * C);
}

/**
 * Layer 0's weight and bias gradients, output `[K, nIn + 1]` (transposed, bias last); thread
 * (j, i) computes, over the batch's inputs where they lie in `xs`,
 * dW[j][i] = Σ_{n<count} dz[n][j]·xs[(start + n)·nIn + i] for i < nIn, db[j] = Σ_n dz[n][j] for
 * i = nIn; 0 for j ≥ nOut (columns that pad the layer to the pack's width).
 *
 * @example
 * ```ts
 * gpu.createKernel(weightGradInputKernel, { output: [K, nIn + 1], constants: { B, nIn, nOut } });
 * ```
 */
export function weightGradInputKernel(this: KernelThis, dz: Matrix, xs: Float32Array, start: number, count: number): number {
  const i = this.thread.y;
  const j = this.thread.x;
  const nIn = this.constants.nIn;
  let sum = 0;
  if (j < this.constants.nOut) {
    if (i === nIn) {
      for (let n = 0; n < this.constants.B; n++) sum += dz[n][j];
    } else {
      for (let n = 0; n < this.constants.B; n++) {
        if (n < count) sum += dz[n][j] * xs[(start + n) * nIn + i];
      }
    }
  }
  return sum;
}

/**
 * Layer l's weight and bias gradients, l > 0, output `[K, nIn + 1]` (transposed, bias last);
 * thread (j, i) computes dW[j][i] = Σ_n dz[n][j]·ACT(zPrev[n][i]) for i < nIn,
 * db[j] = Σ_n dz[n][j] for i = nIn; 0 for j ≥ nOut. The padding rows of a short batch have
 * dz = 0, so the sums run over the whole batch.
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(weightGradKernel, names), { output: [K, nIn + 1], constants: { B, nIn, nOut }, functions });
 * ```
 */
export function weightGradKernel(this: KernelThis, dz: Matrix, zPrev: Matrix): number {
  const i = this.thread.y;
  const j = this.thread.x;
  let sum = 0;
  if (j < this.constants.nOut) {
    if (i === this.constants.nIn) {
      for (let n = 0; n < this.constants.B; n++) sum += dz[n][j];
    } else {
      for (let n = 0; n < this.constants.B; n++) sum += dz[n][j] * ACT(zPrev[n][i]);
    }
  }
  return sum;
}

/**
 * Gradient into the layer below, through its activation, output `[nIn, B]`; thread (i, n):
 * dzPrev[n][i] = (Σ_j dz[n][j]·W[j][i]) · ACT'(zPrev[n][i]), W read from the state pack's rows
 * `row + i` (transposed).
 *
 * @example
 * ```ts
 * gpu.createKernel(specialize(inputGradKernel, names), { output: [nIn, B], constants: { nOut, row }, functions });
 * ```
 */
export function inputGradKernel(this: KernelThis, dz: Matrix, S: Matrix, zPrev: Matrix): number {
  const n = this.thread.y;
  const i = this.thread.x;
  const r = this.constants.row + i;
  let sum = 0;
  for (let j = 0; j < this.constants.nOut; j++) sum += dz[n][j] * S[r][j];
  return sum * ACT_GRAD(zPrev[n][i]);
}

/**
 * Adam over up to five layers' parameters at once (a WebGPU shader may bind 8 storage buffers:
 * the pack, five gradients, the bias corrections and the output), output `[K, 3·R]`: the new
 * state pack. The five layers hold the pack's rows `start0 … start5 − 1`, layer k of them rows
 * `start_k … start_{k+1} − 1` (a slot no layer fills is empty, start_k = start_{k+1}: its argument
 * is any other gradient, never read). Thread (j, y) works on the cell (r, j), r = y mod R:
 * - outside this kernel's rows: the cell unchanged (another Adam kernel's layers);
 * - in the m and v blocks: m' = β₁·m + (1 − β₁)·g and v' = β₂·v + (1 − β₂)·g²;
 * - in the parameter block: p' = p − stepSize·m'/(√v'/bc2Sqrt + ε), recomputing m' and v'.
 *
 * The bias corrections of step `step` of the call, `corrections[2·step]` = lr/(1 − β₁ᵗ) and
 * `corrections[2·step + 1]` = √(1 − β₂ᵗ), come from the host in float64 (the reference's
 * `adamCorrections`), one pair per step of the plan, so that they can change between calls of a
 * compiled pipeline and so that no kernel evaluates 1 − β₂ᵗ itself: with β₂ = 0.999 that
 * difference cancels all but the last few bits of a float32 `β₂ᵗ`, and GLSL's `pow` is only
 * promised to a few ulps: in WebGL2 on SwiftShader every update came out 3·10⁻⁵ too large, and
 * from those weights the next step's gradients of a ReLU network moved by up to 5% (the reference
 * computes the same from them: a unit at its kink).
 *
 * @example
 * ```ts
 * gpu.createKernel(adamKernel, { output: [K, 3 * R], constants: { R, start0, …, start5, beta1, beta2, eps }, functions: [adamFirstMoment, adamSecondMoment, adamUpdate] });
 * ```
 */
export function adamKernel(
  this: KernelThis,
  S: Matrix,
  G0: Matrix,
  G1: Matrix,
  G2: Matrix,
  G3: Matrix,
  G4: Matrix,
  corrections: Float32Array,
  step: number,
): number {
  const R = this.constants.R;
  const j = this.thread.x;
  const y = this.thread.y;
  let r = y;
  if (y >= 2 * R) r = y - 2 * R;
  else if (y >= R) r = y - R;
  if (r < this.constants.start0 || r >= this.constants.start5) return S[y][j];
  let g = 0;
  if (r < this.constants.start1) g = G0[r - this.constants.start0][j];
  else if (r < this.constants.start2) g = G1[r - this.constants.start1][j];
  else if (r < this.constants.start3) g = G2[r - this.constants.start2][j];
  else if (r < this.constants.start4) g = G3[r - this.constants.start3][j];
  else g = G4[r - this.constants.start4][j];
  const m = adamFirstMoment(S[R + r][j], g, this.constants.beta1);
  const v = adamSecondMoment(S[2 * R + r][j], g, this.constants.beta2);
  if (y >= 2 * R) return v;
  if (y >= R) return m;
  return adamUpdate(S[r][j], m, v, corrections[2 * step], corrections[2 * step + 1], this.constants.eps);
}

/** How many layers one {@link adamKernel} updates. */
export const ADAM_LAYERS = 5;

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
 * `f`'s body as an expression of `arg`, when `f` is a one-line `return <expression>;` of one
 * parameter (`relu`: `Math.max(0, z)` → `Math.max(0, (zPrev[n][i]))`), else null.
 */
function inlined(f: (z: number) => number, arg: string): string | null {
  const m = /^function\s*[\w$]*\s*\(\s*([\w$]+)\s*\)\s*\{\s*return\s+([^;{}]+);?\s*\}$/.exec(f.toString());
  if (m === null || /\/[/*]/.test(m[2])) return null;
  const [, param, body] = m;
  return `(${body.replace(new RegExp(`(?<![\\w$.])${param.replace(/\$/g, "\\$")}(?![\\w$])`, "g"), `(${arg})`)})`;
}

/**
 * Replace every call `ACT(<argument>)` in `source` by `f`'s body inlined ({@link inlined}), or,
 * where `f` is more than one line, by a call of `f` under its {@link kernelName}. The argument
 * is the text up to the matching parenthesis.
 */
function inlineCalls(source: string, placeholder: string, f: (z: number) => number): string {
  const call = new RegExp(`\\b${placeholder}\\(`, "g");
  let out = "";
  let from = 0;
  for (let m = call.exec(source); m !== null; m = call.exec(source)) {
    let depth = 1;
    let end = m.index + m[0].length;
    for (; depth > 0; end++) depth += source[end] === "(" ? 1 : source[end] === ")" ? -1 : 0;
    const arg = source.slice(m.index + m[0].length, end - 1);
    out += source.slice(from, m.index) + (inlined(f, arg) ?? `${kernelName(f.name)}(${arg})`);
    from = end;
    call.lastIndex = end;
  }
  return out + source.slice(from);
}

/**
 * The kernel's source with the activation placeholders replaced: `ACT_GRAD` → `reluGrad`, `OUT`
 * → `sigmoid`, `OUT_GRAD` → `sigmoidGrad` (through {@link kernelName}); `ACT`, which the dense
 * and weight-gradient kernels call in their inner loops, gets the activation's body inlined when
 * it is one line (`Math.max(0, …)` for relu): gpu.js's WebAssembly mode runs a call of a helper
 * function lane by lane, out of its SIMD, and that made the study network's epoch 4× slower there.
 *
 * @example
 * ```ts
 * specialize(inputGradKernel, { hidden: "gelu", output: "sigmoid" }); // source calling geluGrad(...)
 * ```
 */
export function specialize(kernel: (...args: never[]) => number, names: ActivationNames): string {
  // the functions' own names and sources, not the activations' names: a bundler may have renamed them
  const hidden = ACTIVATIONS[names.hidden];
  const output = ACTIVATIONS[names.output];
  const source = kernel
    .toString()
    .replace(/\bACT_GRAD\(/g, `${kernelName(hidden.grad.name)}(`)
    .replace(/\bOUT_GRAD\(/g, `${kernelName(output.grad.name)}(`)
    .replace(/\bOUT\(/g, `${kernelName(output.f.name)}(`);
  return inlineCalls(source, "ACT", hidden.f);
}
