/**
 * @module
 * SAPE, spatially-adaptive progressive encoding (Hertz, Perel, Giryes, Sorkine-Hornung and
 * Cohen-Or, NeurIPS 2021): Fourier features that are unlocked band by band, low frequencies first,
 * and only where the signal still needs them. A smooth patch of sky stops at the low bands, so the
 * network cannot fit noise there; a face keeps unlocking until its error is small.
 *
 * **The encoding.** γ(p) = [p, α ⊙ sin(2π·Bp), α ⊙ cos(2π·Bp)]: the raw coordinates (always
 * visible, as in the authors' code, `use_id_encoding`), then Gaussian features (`gaussian.ts`)
 * whose m rows of B are sorted by their norm ‖B_i‖, so row i is band i and bands rise in
 * frequency. Feature order: x, y, the m sines, the m cosines (the Gaussian encoding's order, after
 * the coordinates); band i owns features 2 + i and 2 + m + i.
 *
 * **The mask.** α_i(x) = clamp(P(x) − i, 0, 1): a soft step that opens band i as the local
 * progression P(x) passes i (P = 2.5 shows bands 0 and 1 and half of band 2). P(x) is read from a
 * G × G grid of progressions, one per cell, by bilinear interpolation between cell centres (the
 * authors interpolate a blurred mask grid the same way), so the mask changes smoothly in space.
 *
 * **The progression** (the variant of the authors' `SpatialControllerStashed`, the one their image
 * experiments use): every progression starts at 0; after each epoch the per-sample training
 * errors are averaged per cell over the cell and its 8 neighbours (their 3×3/5×5 box blur of the
 * error grid: a cell with few samples borrows from its neighbours), and a cell whose error is at
 * most ε stops for good; every cell still going advances by `step` bands. The authors advance in
 * whole bands every few iterations (their soft ramp is disabled in that class); coordnet advances
 * once per epoch by a fraction of the bands, which with the soft step is the same staircase seen
 * at a coarser time step.
 *
 * **The backward.** The mask is not learned and carries no gradient: the authors compute it under
 * `torch.no_grad()`. So ∂(α ⊙ γ)/∂γ = α — the masked feature's derivative with respect to the
 * unmasked one is the mask itself ({@link sapeMaskBackward}) — and the gradient with respect to
 * the coordinates holds α fixed ({@link sapeBackward}).
 *
 * **The state**, one Float32Array so that it travels with the model like the Gaussian matrix:
 * `[B sorted, row-major [m][2] | P, row-major [G][G] | going, row-major [G][G]]`, where `going`
 * is 1 for a cell that still progresses and 0 for one that stopped; cell (gx, gy) covers
 * x ∈ [gx/G, (gx+1)/G) of the coordinate range, y likewise.
 */

import type { CoordRange } from "../config.js";
import { InvalidArgumentError } from "../errors.js";
import type { FloatArray } from "../reference/dtype.js";
import type { Rng } from "../reference/rng.js";
import { checkFloats, checkWhole } from "./check.js";
import { gaussianBackward, gaussianForward, gaussianMatrix } from "./gaussian.js";

/**
 * The shape of a SAPE encoding's state: m bands (rows of B) and a G × G grid.
 *
 * @group SAPE
 */
export interface SapeShape {
  /** number of bands m: rows of B (the encoding makes 2 + 2m features) */
  readonly features: number;
  /** cells per side G of the progression grid */
  readonly grid: number;
}

/**
 * Length of a SAPE state: 2m (B) + G² (progressions) + G² (going flags).
 *
 * @example
 * ```ts
 * sapeStateLength({ features: 256, grid: 32 }); // 512 + 1024 + 1024
 * ```
 *
 * @group SAPE
 */
export function sapeStateLength(shape: SapeShape): number {
  return 2 * shape.features + 2 * shape.grid * shape.grid;
}

/**
 * A fresh state: B drawn as the Gaussian encoding draws it (σ·N(0, 1), [m][2], from `rng`), its
 * rows sorted by norm, every progression 0 (only the coordinates visible) and every cell going.
 *
 * @example
 * ```ts
 * const state = sapeInitialState({ features: 256, grid: 32 }, 10, new Rng(0, "gaussian"));
 * ```
 *
 * @group SAPE
 */
export function sapeInitialState(shape: SapeShape, sigma: number, rng: Rng): Float32Array {
  const { features: m, grid: G } = shape;
  checkWhole("sapeInitialState", "features", m, 1);
  checkWhole("sapeInitialState", "grid", G, 1, 4096);
  const drawn = gaussianMatrix(m, 2, sigma, rng);
  // rows by rising norm (ties keep their drawn order): band i is the i-th lowest frequency
  const rows = Array.from({ length: m }, (_, r) => r).sort(
    (a, b) => Math.hypot(drawn[2 * a], drawn[2 * a + 1]) - Math.hypot(drawn[2 * b], drawn[2 * b + 1]) || a - b,
  );
  const state = new Float32Array(sapeStateLength(shape));
  rows.forEach((r, i) => {
    state[2 * i] = drawn[2 * r];
    state[2 * i + 1] = drawn[2 * r + 1];
  });
  state.fill(1, 2 * m + G * G); // every cell going
  return state;
}

/**
 * A SAPE state's three parts, as views into it.
 *
 * @group SAPE
 */
export interface SapeParts {
  /** B with its rows sorted by norm, row-major [m][2] */
  readonly B: Float32Array;
  /** each cell's progression P in bands (0 … m), row-major [G][G] */
  readonly progress: Float32Array;
  /** 1 for a cell that still progresses, 0 for one that stopped, row-major [G][G] */
  readonly going: Float32Array;
}

/**
 * The three parts of a state, as views: B [m][2], the progressions [G][G], the going flags [G][G].
 *
 * @example
 * ```ts
 * const { progress } = sapeParts(encoder.matrix as Float32Array, { features: 256, grid: 32 });
 * ```
 *
 * @group SAPE
 */
export function sapeParts(state: Float32Array, shape: SapeShape): SapeParts {
  const { features: m, grid: G } = shape;
  checkFloats("sapeParts", "state", state, sapeStateLength(shape));
  return { B: state.subarray(0, 2 * m), progress: state.subarray(2 * m, 2 * m + G * G), going: state.subarray(2 * m + G * G, 2 * m + 2 * G * G) };
}

/**
 * What is wrong with a saved state's progressions and going flags, naming the field and cell, or
 * null: a progression is a number of bands from 0 to m, a flag 0 (stopped) or 1 (going). A model
 * file or a caller's array can hold anything finite; the mask and {@link sapeAdvance} assume these.
 *
 * @example
 * ```ts
 * sapeStateProblem(state, { features: 256, grid: 32 }); // "progress[7] is 300: a progression is a number of bands from 0 to 256"
 * ```
 */
export function sapeStateProblem(state: Float32Array, shape: SapeShape): string | null {
  const { progress, going } = sapeParts(state, shape);
  for (let c = 0; c < progress.length; c++)
    if (!(progress[c] >= 0 && progress[c] <= shape.features))
      return `progress[${c}] is ${progress[c]}: a progression is a number of bands from 0 to ${shape.features}`;
  for (let c = 0; c < going.length; c++) if (going[c] !== 0 && going[c] !== 1) return `going[${c}] is ${going[c]}: a going flag is 0 (stopped) or 1 (going)`;
  return null;
}

/** A coordinate in `range` as a fraction t ∈ [0, 1] of the range. */
function fraction(v: number, range: CoordRange): number {
  return range === "01" ? v : (v + 1) / 2;
}

/** The cell (0 … G − 1) that fraction t falls in. */
function cellOf(t: number, G: number): number {
  return Math.min(G - 1, Math.max(0, Math.floor(t * G)));
}

/**
 * The mask of `count` points: α[n][i] = clamp(P(x_n) − i, 0, 1), P bilinear between cell centres
 * (constant beyond the outer centres).
 *
 * @param p - points, row-major [count][2], in `range`
 * @param alpha - receives the mask, row-major [count][m]
 *
 * @example
 * ```ts
 * const alpha = new Float32Array(count * 256);
 * sapeMask(points, count, state, { features: 256, grid: 32 }, "01", alpha);
 * ```
 *
 * @group SAPE
 */
export function sapeMask(p: FloatArray, count: number, state: Float32Array, shape: SapeShape, range: CoordRange, alpha: FloatArray): void {
  const { features: m, grid: G } = shape;
  checkWhole("sapeMask", "count", count, 0);
  checkFloats("sapeMask", "p", p, 2 * count);
  checkFloats("sapeMask", "alpha", alpha, count * m);
  const { progress } = sapeParts(state, shape);
  for (let n = 0; n < count; n++) {
    // P(x) = Σ bilinear weights · P[cell], between the centres (g + ½)/G of the four nearest cells
    const u = Math.min(G - 1, Math.max(0, fraction(p[2 * n], range) * G - 0.5));
    const v = Math.min(G - 1, Math.max(0, fraction(p[2 * n + 1], range) * G - 0.5));
    const x0 = Math.floor(u);
    const y0 = Math.floor(v);
    const x1 = Math.min(G - 1, x0 + 1);
    const y1 = Math.min(G - 1, y0 + 1);
    const fx = u - x0;
    const fy = v - y0;
    const P = (1 - fy) * ((1 - fx) * progress[y0 * G + x0] + fx * progress[y0 * G + x1]) + fy * ((1 - fx) * progress[y1 * G + x0] + fx * progress[y1 * G + x1]);
    // α_i = clamp(P − i, 0, 1): band i opens as P passes i
    for (let i = 0; i < m; i++) alpha[n * m + i] = Math.min(1, Math.max(0, P - i));
  }
}

/**
 * Apply a mask: out[n][f] = α[n][band(f)]·γ[n][f], where the two coordinates (f < 2) have no band
 * and pass unmasked, and band(2 + i) = band(2 + m + i) = i.
 *
 * @param gamma - unmasked features, row-major [count][2 + 2m]
 * @param alpha - the mask, row-major [count][m]
 * @param out - receives the masked features, row-major [count][2 + 2m] (may be `gamma` itself)
 *
 * @example
 * ```ts
 * sapeMaskForward(unmasked, alpha, stored, count, 256);
 * ```
 *
 * @group SAPE
 */
export function sapeMaskForward(gamma: FloatArray, alpha: FloatArray, out: FloatArray, count: number, m: number): void {
  const F = 2 + 2 * m;
  checkMaskArgs("sapeMaskForward", gamma, alpha, out, count, m);
  for (let n = 0; n < count; n++) {
    out[n * F] = gamma[n * F];
    out[n * F + 1] = gamma[n * F + 1];
    // #region sapeMaskForward
    for (let i = 0; i < m; i++) {
      // γ̃ = α_i·γ for band i's sine and cosine
      out[n * F + 2 + i] = alpha[n * m + i] * gamma[n * F + 2 + i];
      out[n * F + 2 + m + i] = alpha[n * m + i] * gamma[n * F + 2 + m + i];
    }
    // #endregion sapeMaskForward
  }
}

/**
 * The mask's backward: dγ = α ⊙ dγ̃, since ∂(α·γ)/∂γ = α. The mask itself gets no gradient (SAPE
 * does not learn it: it comes from the progression, not from the loss's gradient).
 *
 * @param dOut - dL/dγ̃, row-major [count][2 + 2m]
 * @param dGamma - receives dL/dγ, row-major [count][2 + 2m] (may be `dOut` itself)
 *
 * @example
 * ```ts
 * sapeMaskBackward(alpha, dOut, dGamma, count, 256);
 * ```
 *
 * @group SAPE
 */
export function sapeMaskBackward(alpha: FloatArray, dOut: FloatArray, dGamma: FloatArray, count: number, m: number): void {
  const F = 2 + 2 * m;
  checkMaskArgs("sapeMaskBackward", dOut, alpha, dGamma, count, m);
  for (let n = 0; n < count; n++) {
    dGamma[n * F] = dOut[n * F];
    dGamma[n * F + 1] = dOut[n * F + 1];
    for (let i = 0; i < m; i++) {
      // dγ = α_i·dγ̃
      dGamma[n * F + 2 + i] = alpha[n * m + i] * dOut[n * F + 2 + i];
      dGamma[n * F + 2 + m + i] = alpha[n * m + i] * dOut[n * F + 2 + m + i];
    }
  }
}

/**
 * Encode `count` points: [p, α ⊙ sin(2πBp), α ⊙ cos(2πBp)] — the Gaussian features of
 * {@link gaussianForward} behind the coordinates, masked by {@link sapeMaskForward}. Pass
 * `alpha = null` for the unmasked features (every band open).
 *
 * @param p - points, row-major [count][2]
 * @param B - sorted rows, row-major [m][2]
 * @param alpha - the mask, row-major [count][m], or null
 * @param out - receives row-major [count][2 + 2m]
 *
 * @example
 * ```ts
 * sapeForward(points, B, alpha, out, count);
 * ```
 *
 * @group SAPE
 */
export function sapeForward(p: FloatArray, B: FloatArray, alpha: FloatArray | null, out: FloatArray, count: number): void {
  checkWhole("sapeForward", "count", count, 0);
  checkFloats("sapeForward", "B", B, 2);
  const m = Math.floor(B.length / 2);
  const F = 2 + 2 * m;
  checkFloats("sapeForward", "p", p, 2 * count);
  checkFloats("sapeForward", "out", out, count * F);
  // row-major [count][2m]: the Gaussian features, sines then cosines (in p's precision)
  const fourier = p instanceof Float64Array ? new Float64Array(count * 2 * m) : new Float32Array(count * 2 * m);
  gaussianForward(p, fourier, count, 2, B);
  for (let n = 0; n < count; n++) {
    out[n * F] = p[2 * n];
    out[n * F + 1] = p[2 * n + 1];
    out.set(fourier.subarray(n * 2 * m, (n + 1) * 2 * m), n * F + 2);
  }
  if (alpha !== null) sapeMaskForward(out, alpha, out, count, m);
}

/**
 * Gradient with respect to the coordinates, the mask held fixed (it is not differentiated):
 * dp = dL/d(coordinates) + Σ_i α_i·2π·B_i·(cos(u_i)·dsin_i − sin(u_i)·dcos_i), u_i = 2π·B_i·p —
 * {@link sapeMaskBackward}, then {@link gaussianBackward}.
 *
 * @param dOut - dL/dγ̃, row-major [count][2 + 2m]
 * @param dp - receives dL/dp, row-major [count][2]
 *
 * @example
 * ```ts
 * sapeBackward(points, B, alpha, dOut, dp, count);
 * ```
 *
 * @group SAPE
 */
export function sapeBackward(p: FloatArray, B: FloatArray, alpha: FloatArray | null, dOut: FloatArray, dp: FloatArray, count: number): void {
  checkWhole("sapeBackward", "count", count, 0);
  checkFloats("sapeBackward", "B", B, 2);
  const m = Math.floor(B.length / 2);
  const F = 2 + 2 * m;
  checkFloats("sapeBackward", "dOut", dOut, count * F);
  checkFloats("sapeBackward", "dp", dp, 2 * count);
  // row-major [count][2 + 2m]: dL/dγ, the unmasked features' gradient
  const dGamma = new Float64Array(count * F);
  if (alpha !== null) sapeMaskBackward(alpha, dOut, dGamma, count, m);
  else dGamma.set(dOut.subarray(0, count * F));
  // row-major [count][2m]: the Fourier part of dγ, for gaussianBackward
  const dFourier = new Float64Array(count * 2 * m);
  for (let n = 0; n < count; n++) dFourier.set(dGamma.subarray(n * F + 2, (n + 1) * F), n * 2 * m);
  gaussianBackward(p, dFourier, dp, count, 2, B);
  // dp += dL/d(coordinates): the copy of p passes its gradient straight through
  for (let n = 0; n < count; n++) {
    dp[2 * n] += dGamma[n * F];
    dp[2 * n + 1] += dGamma[n * F + 1];
  }
}

/**
 * The per-cell error the progression reads: Σ errors / Σ samples over each cell and its 8
 * neighbours (fewer at the border); NaN for a cell with no sample in its neighbourhood.
 *
 * @param coords - the training samples' points, row-major [N][2], in `range`
 * @param errors - each sample's squared error (mean over channels), [N]
 * @returns row-major [G][G]
 *
 * @example
 * ```ts
 * const cellErrors = sapeCellErrors(coords, errors, 32, "01");
 * ```
 *
 * @group SAPE
 */
export function sapeCellErrors(coords: FloatArray, errors: FloatArray, G: number, range: CoordRange): Float64Array {
  const N = errors.length;
  checkWhole("sapeCellErrors", "grid", G, 1, 4096);
  checkFloats("sapeCellErrors", "coords", coords, 2 * N);
  // row-major [G][G]: each cell's error sum and sample count
  const sum = new Float64Array(G * G);
  const samples = new Float64Array(G * G);
  for (let n = 0; n < N; n++) {
    const c = cellOf(fraction(coords[2 * n + 1], range), G) * G + cellOf(fraction(coords[2 * n], range), G);
    sum[c] += errors[n];
    samples[c] += 1;
  }
  const out = new Float64Array(G * G);
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++) {
      // e[c] = Σ_{c' ∈ 3×3 around c} sum[c'] / Σ samples[c']
      let s = 0;
      let k = 0;
      for (let y = Math.max(0, gy - 1); y <= Math.min(G - 1, gy + 1); y++)
        for (let x = Math.max(0, gx - 1); x <= Math.min(G - 1, gx + 1); x++) {
          s += sum[y * G + x];
          k += samples[y * G + x];
        }
      out[gy * G + gx] = k > 0 ? s / k : Number.NaN;
    }
  return out;
}

/**
 * One progression update, in place: a going cell whose error ({@link sapeCellErrors}) is at most
 * `epsilon` stops for good; every cell still going advances by `step` bands, up to m. A cell with
 * no samples around it keeps going (nothing says it is done).
 *
 * @returns how many cells are still going
 *
 * @example
 * ```ts
 * sapeAdvance(state, shape, sapeCellErrors(coords, errors, 32, "01"), 1e-3, 256 / 100);
 * ```
 *
 * @group SAPE
 */
export function sapeAdvance(state: Float32Array, shape: SapeShape, cellErrors: Float64Array, epsilon: number, step: number): number {
  const { features: m, grid: G } = shape;
  const { progress, going } = sapeParts(state, shape);
  if (!(cellErrors instanceof Float64Array) || cellErrors.length !== G * G)
    throw new InvalidArgumentError(`sapeAdvance: cellErrors must be a Float64Array of G² = ${G * G} values`);
  let still = 0;
  for (let c = 0; c < G * G; c++) {
    // a cell stops for good once its error is at most ε
    if (going[c] === 1 && cellErrors[c] <= epsilon) going[c] = 0;
    // P[c] += step while going, up to m
    if (going[c] === 1) {
      progress[c] = Math.min(m, progress[c] + step);
      still++;
    }
  }
  return still;
}

/**
 * Whether an update could still change the mask: some cell going and below m.
 *
 * @example
 * ```ts
 * if (sapeCanAdvance(state, shape)) sapeAdvance(state, shape, cellErrors, 1e-3, step);
 * ```
 *
 * @group SAPE
 */
export function sapeCanAdvance(state: Float32Array, shape: SapeShape): boolean {
  const { progress, going } = sapeParts(state, shape);
  for (let c = 0; c < going.length; c++) if (going[c] === 1 && progress[c] < shape.features) return true;
  return false;
}

function checkMaskArgs(fn: string, a: FloatArray, alpha: FloatArray, out: FloatArray, count: number, m: number): void {
  checkWhole(fn, "count", count, 0);
  checkWhole(fn, "m", m, 1);
  checkFloats(fn, "input", a, count * (2 + 2 * m));
  checkFloats(fn, "alpha", alpha, count * m);
  checkFloats(fn, "output", out, count * (2 + 2 * m));
}
