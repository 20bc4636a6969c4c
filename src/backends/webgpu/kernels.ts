/**
 * @module
 * The WGSL of the `webgpu` backend: four compute kernels that together are one training step of
 * the reference's MLP (`reference/mlp.ts`, `dense.ts`, `mse.ts`, `adam.ts`), written for a
 * network's sizes and activations when a trainer is made (sizes become WGSL constants).
 *
 * One step dispatches, in this order:
 *
 * 1. `forward`  — one workgroup (128 threads) per block of S samples runs the whole network: it
 *    gathers the block's inputs through the epoch's `order`, and the block's activations stay in
 *    workgroup memory between layers; every layer's pre-activations z go to `z` and its activations
 *    to `acts` (the backward and grads need them), the output ŷ = out(z) to `out`. Each thread
 *    computes 4 rows × 4 outputs at a time (16 sums in registers: a weight read serves 4 rows, an
 *    activation 4 outputs).
 * 2. `backward` — one workgroup (128 threads) per block again: each sample's squared error to `sq`,
 *    the loss's gradient dL/dŷ fused with the output layer's dz, then dz of every layer from the top
 *    down (kept in workgroup memory between layers, written to `dz`), 4 rows × 4 inputs a thread.
 * 3. `grads`    — one thread per 4×4 block of some layer's [dW | db] (db is the column of a
 *    constant input 1), every layer in the one dispatch: the thread walks the batch and keeps its 16
 *    sums in registers (4 + 4 loads for 16 multiply-adds, no barriers); one more workgroup sums `sq`
 *    into the step's loss, a fixed-order tree. Each entry is summed by one thread in batch order:
 *    deterministic, no atomics.
 *    (64 threads a workgroup.)
 * 4. `adam`     — one thread per parameter over the packed buffers params, grads, m, v (256 a
 *    workgroup), with the step's bias corrections from the host (float64, rounded once).
 *
 * Past 65535 workgroups a dispatch wraps into a second dimension; every kernel returns for the
 * workgroups past its work. An epoch records its steps' 4 dispatches each into one compute pass,
 * each step choosing its record of `step` with a dynamic offset.
 *
 * Buffers (float32 unless said; B is the trainer's maxBatch, L the number of dense layers):
 *
 * | buffer   | layout                                                         | written by        |
 * | -------- | -------------------------------------------------------------- | ----------------- |
 * | `params` | per layer l: W_l row-major [out][in], then b_l [out]            | host, `adam`      |
 * | `grads`, `m`, `v` | the same layout as `params`                           | `grads`; `adam`   |
 * | `x`      | the samples' inputs, row-major [sample][F]                      | host, once a run  |
 * | `y`      | the samples' targets, row-major [sample][C]                     | host, once a run  |
 * | `order`  | u32 [epoch position] → sample                                   | host, once an epoch |
 * | `z`, `dz`| per layer l: row-major [B][out_l], at `Z_OFF[l]`                | `forward`; `backward` |
 * | `acts`   | act(z) of the hidden layers, as `z` (the layer inputs `grads` needs) | `forward`       |
 * | `out`    | ŷ, row-major [B][C]                                             | `forward`         |
 * | `sq`     | [B], Σ_c (ŷ − y)² per sample                                    | `backward`        |
 * | `losses` | [step], the mean squared error of each step's batch             | `grads`           |
 * | `step`   | uniform, one 256-byte record per step (dynamic offset): start in `order`, count, index, Adam's step size and √(1 − β₂ᵗ) | host, once an epoch |
 *
 * Wide layers: workgroup memory is 16 KiB (4096 floats) by WebGPU's default limits, and the forward
 * and backward keep two [S][widest] arrays there, so S = ⌊2048 / widest⌋ (at most 32). Where even
 * one sample does not fit (a layer wider than 2048), the kernels keep nothing in workgroup memory,
 * take one sample per workgroup, and read the previous layer back from storage — the forward from
 * `acts`, the backward from `dz` — written by the same workgroup and made visible by
 * `storageBarrier`: slower, the same results. `grads` uses no workgroup memory at any width.
 */

import type { ActivationName } from "../../reference/activations/index.js";

/** The four kernels of a step. */
export type KernelName = "forward" | "backward" | "grads" | "adam";

/** Threads per workgroup of the forward and the backward. */
export const BLOCK_THREADS = 128;
/** The side of the block of [dW | db] one `grads` thread sums (T×T entries in registers). */
export const TILE = 4;
/** Threads per workgroup of `grads`. */
export const GRAD_THREADS = 64;
/** Outputs (forward) or inputs (backward) one thread takes for each of its rows: a weight read serves R rows, an activation Q outputs. */
const COLUMNS = 4;
/** Threads per workgroup of `adam`. */
export const ADAM_THREADS = 256;
/** Floats of workgroup memory WebGPU promises by default (16 KiB). */
const WORKGROUP_FLOATS = 4096;
/** The most samples a forward/backward workgroup takes. */
const MAX_BLOCK = 32;
/** Bytes between two steps' records in the `step` buffer (WebGPU's minimum dynamic-offset alignment). */
export const STEP_RECORD = 256;

/** Where everything of a network lives in the packed buffers, and how the work is cut. */
export interface NetLayout {
  /** [inputs, width × depth, outputs] */
  readonly sizes: number[];
  /** dense layers */
  readonly L: number;
  /** the largest batch */
  readonly B: number;
  /** offset of W_l in `params` (floats) */
  readonly wOff: number[];
  /** offset of b_l in `params` (floats) */
  readonly bOff: number[];
  /** parameters in all */
  readonly P: number;
  /** offset of layer l's [B][out_l] in `z` and `dz` (floats) */
  readonly zOff: number[];
  /** floats of `z` (and of `dz`) */
  readonly zFloats: number;
  /** the widest layer, inputs included */
  readonly widest: number;
  /** samples per forward/backward workgroup */
  readonly S: number;
  /** whether the block's activations fit in workgroup memory (else they are read back from storage) */
  readonly shared: boolean;
  /** rows of the block each forward/backward thread takes (4 where S allows, so a weight read serves 4 rows) */
  readonly R: number;
  /** first `grads` block (of T×T entries, one per thread) of each layer; the last entry is the block count */
  readonly tileStart: number[];
}

/**
 * The layout of a network of these sizes for batches of up to `B`.
 *
 * @example
 * ```ts
 * netLayout([2, 128, 128, 3], 1024).S; // 16 samples per workgroup
 * ```
 */
export function netLayout(sizes: number[], B: number): NetLayout {
  const L = sizes.length - 1;
  const wOff: number[] = [];
  const bOff: number[] = [];
  const zOff: number[] = [];
  const tileStart: number[] = [0];
  let P = 0;
  let zFloats = 0;
  for (let l = 0; l < L; l++) {
    const [nIn, nOut] = [sizes[l], sizes[l + 1]];
    wOff.push(P);
    bOff.push(P + nOut * nIn);
    P += nOut * (nIn + 1);
    zOff.push(zFloats);
    zFloats += B * nOut;
    tileStart.push(tileStart[l] + Math.ceil(nOut / TILE) * Math.ceil((nIn + 1) / TILE));
  }
  const widest = Math.max(...sizes);
  const fit = Math.floor(WORKGROUP_FLOATS / (2 * widest));
  const shared = fit >= 1;
  // without workgroup memory, a workgroup per sample: blocks bring nothing to share, so spread the work
  const S = shared ? Math.min(MAX_BLOCK, fit) : 1;
  return { sizes, L, B, wOff, bOff, P, zOff, zFloats, widest, S, shared, R: S % 4 === 0 ? 4 : 1, tileStart };
}

// #region activations: each activation's f and f' in WGSL, the same formulas as reference/activations/
const ERF = `
// erf(x), fdlibm's rational approximations (as reference/activations/erf.ts), evaluated in f32
fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  let sgn = select(1.0, -1.0, x < 0.0);
  if (ax < 0.84375) {
    let z = x * x;
    let r = 0.128379167095512558561 + z * (-0.32504210724700149937 + z * (-0.0284817495755985104766 + z * (-0.00577027029648944159157 + z * -0.0000237630166566501626084)));
    let s = 1.0 + z * (0.397917223959155352819 + z * (0.0650222499887672944485 + z * (0.00508130628187576562776 + z * (0.000132494738004321644526 + z * -0.0000039602282787753681232))));
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    let s = ax - 1.0;
    let p = -0.00236211856075265944077 + s * (0.414856118683748331666 + s * (-0.372207876035701323847 + s * (0.318346619901161753674 + s * (-0.110894694282396677476 + s * (0.0354783043256182359371 + s * -0.002166375594868790843)))));
    let q = 1.0 + s * (0.106420880400844228286 + s * (0.540397917702171048937 + s * (0.0718286544141962662868 + s * (0.126171219808761642112 + s * (0.0136370839120290507362 + s * 0.011984499846799107417)))));
    return sgn * (0.845062911510467529297 + p / q);
  }
  if (ax >= 6.0) { return sgn; }
  let t = 1.0 / (ax * ax);
  var r: f32;
  var s: f32;
  if (ax < 2.857142857142857) {
    r = -0.00986494403484714822705 + t * (-0.693858572707181764372 + t * (-10.5586262253232909814 + t * (-62.3753324503260060396 + t * (-162.396669462573470355 + t * (-184.605092906711035994 + t * (-81.2874355063065934246 + t * -9.81432934416914548592))))));
    s = 1.0 + t * (19.6512716674392571292 + t * (137.6577541435190426 + t * (434.565877475229228821 + t * (645.387271733267880336 + t * (429.008140027567833386 + t * (108.635005541779435134 + t * (6.57024977031928170135 + t * -0.0604244152148580987438)))))));
  } else {
    r = -0.00986494292470009928597 + t * (-0.799283237680523006574 + t * (-17.7579549177547519889 + t * (-160.636384855821916062 + t * (-637.566443368389627722 + t * (-1025.09513161107724954 + t * -483.519191608651397019)))));
    s = 1.0 + t * (30.3380607434824582924 + t * (325.792512996573918826 + t * (1536.72958608443695994 + t * (3199.85821950859553908 + t * (2553.05040643316442583 + t * (474.528541206955367215 + t * -22.4409524465858183362))))));
  }
  return sgn * (1.0 - exp(-ax * ax - 0.5625 + r / s) / ax);
}`;

// WGSL promises sin and cos only to 2⁻¹¹ absolute, and SwiftShader's are off by 2e-4: a SIREN layer
// multiplies that by ω₀ = 30. So sine networks get sin and cos to about an ulp of f32: Cody–Waite
// reduction by π/2 (π/2 split in three parts, the first with 8 significant bits, so that k·part is
// exact for |k| < 2¹⁶), then Cephes's minimax polynomials on [−π/4, π/4] and the quadrant.
const SINCOS = `
fn sincos_reduced(x: f32) -> vec3<f32> {
  let k = round(x * 0.6366197723675814);  // x / (π/2)
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  return vec3<f32>(s, c, f32(i32(k) & 3));
}
fn sin_(x: f32) -> f32 {
  let v = sincos_reduced(x);
  let q = u32(v.z);
  return select(select(-v.y, -v.x, q == 2u), select(v.y, v.x, q == 0u), q < 2u);
}
fn cos_(x: f32) -> f32 {
  let v = sincos_reduced(x);
  let q = u32(v.z);
  return select(select(v.x, -v.y, q == 2u), select(-v.x, v.y, q == 0u), q < 2u);
}`;

/** f(z) and f'(z) of each activation, as WGSL expressions of `z`. */
const ACTIVATION_WGSL: Record<ActivationName, { f: string; grad: string }> = {
  // relu(z) = max(0, z); relu'(z) = 1 for z > 0, else 0
  relu: { f: "max(0.0, z)", grad: "select(0.0, 1.0, z > 0.0)" },
  // gelu(z) = z·Φ(z); gelu'(z) = Φ(z) + z·φ(z)   (exact, erf-based)
  gelu: {
    f: "z * 0.5 * (1.0 + erf_(z * 0.7071067811865476))",
    grad: "0.5 * (1.0 + erf_(z * 0.7071067811865476)) + z * exp(-0.5 * z * z) * 0.3989422804014327",
  },
  // elu(z) = z for z > 0, else exp(z) − 1; elu'(z) = 1 for z > 0, else exp(z)
  elu: { f: "select(exp(z) - 1.0, z, z > 0.0)", grad: "select(exp(z), 1.0, z > 0.0)" },
  // tanh, clamped where f32's tanh is already ±1 (a naive exp-based tanh would give inf/inf there)
  tanh: { f: "tanh(clamp(z, -15.0, 15.0))", grad: "1.0 - tanh(clamp(z, -15.0, 15.0)) * tanh(clamp(z, -15.0, 15.0))" },
  // sigmoid(z) = 1/(1 + exp(−z)); sigmoid' = s·(1 − s)
  sigmoid: { f: "1.0 / (1.0 + exp(-z))", grad: "(1.0 / (1.0 + exp(-z))) * (1.0 - 1.0 / (1.0 + exp(-z)))" },
  // SIREN: sin(ω₀z), ω₀ = 30; derivative ω₀·cos(ω₀z)
  sine: { f: "sin_(30.0 * z)", grad: "30.0 * cos_(30.0 * z)" },
  identity: { f: "z", grad: "1.0" },
};

function activations(hidden: ActivationName, output: ActivationName): string {
  const needErf = hidden === "gelu" || output === "gelu";
  const needSin = hidden === "sine" || output === "sine";
  const a = ACTIVATION_WGSL;
  return `${needErf ? ERF : ""}${needSin ? SINCOS : ""}
// the hidden layers' activation (${hidden}) and the output layer's (${output}), and their derivatives
fn hidden_f(z: f32) -> f32 { return ${a[hidden].f}; }
fn hidden_df(z: f32) -> f32 { return ${a[hidden].grad}; }
fn out_f(z: f32) -> f32 { return ${a[output].f}; }
fn out_df(z: f32) -> f32 { return ${a[output].grad}; }
`;
}
// #endregion

/** A WGSL float literal for a double (rounded to f32 by the compiler). */
function float(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const u32s = (xs: number[]) => `array<u32, ${xs.length}>(${xs.map((x) => `${x}u`).join(", ")})`;

/** Constants and the step record every kernel shares. */
function header(layout: NetLayout, hidden: ActivationName, output: ActivationName): string {
  const { sizes, L, S, zOff, wOff, bOff, tileStart } = layout;
  return `// Network ${sizes.join(" → ")}, ${hidden} hidden, ${output} output; batches up to ${layout.B}.
const L = ${L}u;                      // dense layers
const F = ${sizes[0]}u;                      // inputs per sample
const C = ${sizes[L]}u;                      // outputs per sample
const N_IN = ${u32s(sizes.slice(0, L))};
const N_OUT = ${u32s(sizes.slice(1))};
const W_OFF = ${u32s(wOff)};   // W_l in params, row-major [out][in]
const B_OFF = ${u32s(bOff)};   // b_l in params
const Z_OFF = ${u32s(zOff)};   // layer l's [B][out_l] in z and dz
const TILE_START = ${u32s(tileStart)}; // first grads block of each layer; last: the block count
const S = ${S}u;                      // samples per forward/backward workgroup
const MAXW = ${layout.widest}u;                   // the widest layer (a row of workgroup memory)

// One step's record (one per step, 256 bytes apart, chosen by a dynamic offset).
struct Step {
  start: u32,      // the batch's first position in order
  count: u32,      // samples in the batch
  index: u32,      // the step's slot in losses
  pad: u32,
  step_size: f32,  // Adam: lr / (1 − β₁ᵗ), computed in float64 on the host
  bc2_sqrt: f32,   // Adam: √(1 − β₂ᵗ), likewise
}
@group(0) @binding(0) var<uniform> step: Step;
${activations(hidden, output)}`;
}

/** `R` copies of a statement, for rows q = 0…R−1 of a thread's rows (unrolled: R registers). */
function rowsOf(R: number, statement: (q: number) => string, sep = "\n"): string {
  return Array.from({ length: R }, (_, q) => statement(q)).join(sep);
}

/** Kernel 1: the whole forward pass of a block of S samples. */
function forward(layout: NetLayout): string {
  const { shared, R } = layout;
  const Q = COLUMNS;
  const readA = (q: number) => (shared ? `buf[src + (n0 + ${q}u) * MAXW + i]` : `load_a(l, base + n0 + ${q}u, i)`);
  return `
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;      // [sample][F]
@group(0) @binding(3) var<storage, read> order: array<u32>;  // position → sample
@group(0) @binding(4) var<storage, read_write> z: array<f32>;   // per layer [B][out_l]
@group(0) @binding(5) var<storage, read_write> out: array<f32>; // ŷ, [B][C]
@group(0) @binding(6) var<storage, read_write> acts: array<f32>; // act(z) of the hidden layers, as z (for grads)
${
  shared
    ? `// The block's activations, two halves of [S][MAXW]: layer l reads half l % 2 and writes the other.
var<workgroup> buf: array<f32, ${2 * layout.S * layout.widest}>;`
    : `// Layers too wide for workgroup memory: a layer's input is read back from acts (this workgroup's rows).
fn load_a(l: u32, row: u32, i: u32) -> f32 {
  if (l == 0u) { return x[order[step.start + row] * F + i]; }
  return acts[Z_OFF[l - 1u] + row * N_IN[l] + i];
}`
}

// Thread t computes, layer by layer, a ${R}×${Q} block: outputs j0…j0+${Q - 1} of rows n0…n0+${R - 1} of
// the block (each weight read serves ${R} rows, each activation ${Q} outputs), for work items
// k = t, t + ${BLOCK_THREADS}, …
@compute @workgroup_size(${BLOCK_THREADS})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let base = (wid.x + wid.y * nwg.x) * S;  // the block's first row of the batch
  if (base >= step.count) { return; }
  let rows = min(S, step.count - base);
${
  shared
    ? `  // a[0]: the block's inputs, gathered through the epoch's order
  for (var k = t; k < rows * F; k += ${BLOCK_THREADS}u) {
    let n = k / F;
    let i = k % F;
    buf[n * MAXW + i] = x[order[step.start + base + n] * F + i];
  }
  workgroupBarrier();`
    : ""
}
  for (var l = 0u; l < L; l++) {
    let n_in = N_IN[l];
    let n_out = N_OUT[l];
    let src = (l % 2u) * S * MAXW;
    let dst = ((l + 1u) % 2u) * S * MAXW;
    let across = (n_out + ${Q - 1}u) / ${Q}u;
    for (var k = t; k < ((rows + ${R - 1}u) / ${R}u) * across; k += ${BLOCK_THREADS}u) {
      let j0 = (k % across) * ${Q}u;
      let n0 = (k / across) * ${R}u;
      // z[n][j] = b[j] + Σ_i a[n][i]·W[j][i]   (outputs past n_out compute the last one again, unstored)
${rowsOf(Q, (p) => `      let w${p} = W_OFF[l] + min(j0 + ${p}u, n_out - 1u) * n_in;`)}
${rowsOf(Q, (p) => `      let b${p} = params[B_OFF[l] + min(j0 + ${p}u, n_out - 1u)];`)}
${rowsOf(R, (q) => rowsOf(Q, (p) => `      var s${q}_${p} = b${p};`))}
      for (var i = 0u; i < n_in; i++) {
${rowsOf(Q, (p) => `        let w${p}i = params[w${p} + i];`)}
${rowsOf(R, (q) => `        let a${q} = ${readA(q)};`)}
${rowsOf(R, (q) => rowsOf(Q, (p) => `        s${q}_${p} += a${q} * w${p}i;`))}
      }
${rowsOf(R, (q) => rowsOf(Q, (p) => `      put(l, base, n0 + ${q}u, j0 + ${p}u, rows, n_out, dst, s${q}_${p});`))}
    }
    ${shared ? "workgroupBarrier();" : "storageBarrier();"}
  }
}

// z[l][n][j] = s, and a[l+1] = act(z[l]) (the last layer's is the output), if row n and output j exist
fn put(l: u32, base: u32, n: u32, j: u32, rows: u32, n_out: u32, dst: u32, s: f32) {
  if (n >= rows || j >= n_out) { return; }
  z[Z_OFF[l] + (base + n) * n_out + j] = s;
  if (l + 1u < L) {
    let a = hidden_f(s);
    acts[Z_OFF[l] + (base + n) * n_out + j] = a;
    ${shared ? "buf[dst + n * MAXW + j] = a;" : "_ = dst;"}
  } else {
    out[(base + n) * n_out + j] = out_f(s);
  }
}
`;
}

/** Kernel 2: the loss's gradient and dz of every layer, for a block of S samples. */
function backward(layout: NetLayout): string {
  const { shared, R } = layout;
  const Q = COLUMNS;
  const readDz = (q: number) => (shared ? `buf[src + (n0 + ${q}u) * MAXW + j]` : `dz[Z_OFF[l] + (base + n0 + ${q}u) * n_out + j]`);
  return `
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;      // targets, [sample][C]
@group(0) @binding(3) var<storage, read> order: array<u32>;  // position → sample
@group(0) @binding(4) var<storage, read> z: array<f32>;      // per layer [B][out_l]
@group(0) @binding(5) var<storage, read_write> dz: array<f32>;  // per layer [B][out_l]
@group(0) @binding(6) var<storage, read_write> sq: array<f32>;  // [B]
${shared ? `// The block's dz, two halves of [S][MAXW]: layer l's in half l % 2.\nvar<workgroup> buf: array<f32, ${2 * layout.S * layout.widest}>;` : ""}

@compute @workgroup_size(${BLOCK_THREADS})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let base = (wid.x + wid.y * nwg.x) * S;
  if (base >= step.count) { return; }
  let rows = min(S, step.count - base);
  let last = L - 1u;
  // the loss, per sample: Σ_c (ŷ − y)²  (the grads kernel sums these over the batch)
  for (var n = t; n < rows; n += ${BLOCK_THREADS}u) {
    var s = 0.0;
    for (var c = 0u; c < C; c++) {
      let d = out_f(z[Z_OFF[last] + (base + n) * C + c]) - y[order[step.start + base + n] * C + c];
      s += d * d;
    }
    sq[base + n] = s;
  }
  // the output layer: dz = dL/dŷ · out'(z), with dL/dŷ = 2·(ŷ − y) / (count·C)   (mse.ts)
  for (var k = t; k < rows * C; k += ${BLOCK_THREADS}u) {
    let n = k / C;
    let c = k % C;
    let zz = z[Z_OFF[last] + (base + n) * C + c];
    let d = out_f(zz) - y[order[step.start + base + n] * C + c];
    let g = (2.0 * d) / f32(step.count * C) * out_df(zz);
    dz[Z_OFF[last] + (base + n) * C + c] = g;
    ${shared ? "buf[(last % 2u) * S * MAXW + n * MAXW + c] = g;" : ""}
  }
  ${shared ? "workgroupBarrier();" : "storageBarrier();"}
  // from the top down: dz[l−1][n][i] = (Σ_j dz[l][n][j]·W_l[j][i]) · act'(z[l−1][n][i]),
  // thread t taking a ${R}×${Q} block: inputs i0…i0+${Q - 1} of rows n0…n0+${R - 1}
  for (var l = last; l > 0u; l--) {
    let n_in = N_IN[l];
    let n_out = N_OUT[l];
    let src = (l % 2u) * S * MAXW;
    let dst = ((l + 1u) % 2u) * S * MAXW;
    let across = (n_in + ${Q - 1}u) / ${Q}u;
    for (var k = t; k < ((rows + ${R - 1}u) / ${R}u) * across; k += ${BLOCK_THREADS}u) {
      let i0 = (k % across) * ${Q}u;
      let n0 = (k / across) * ${R}u;
${rowsOf(Q, (p) => `      let c${p} = min(i0 + ${p}u, n_in - 1u);`)}
${rowsOf(R, (q) => rowsOf(Q, (p) => `      var da${q}_${p} = 0.0;`))}
      for (var j = 0u; j < n_out; j++) {
        let w = W_OFF[l] + j * n_in;
${rowsOf(Q, (p) => `        let w${p} = params[w + c${p}];`)}
${rowsOf(R, (q) => `        let g${q} = ${readDz(q)};`)}
${rowsOf(R, (q) => rowsOf(Q, (p) => `        da${q}_${p} += g${q} * w${p};`))}
      }
${rowsOf(R, (q) => rowsOf(Q, (p) => `      put(l, base, n0 + ${q}u, i0 + ${p}u, rows, n_in, dst, da${q}_${p});`))}
    }
    ${shared ? "workgroupBarrier();" : "storageBarrier();"}
  }
}

// dz[l−1][n][i] = da · act'(z[l−1][n][i]), if row n and input i exist
fn put(l: u32, base: u32, n: u32, i: u32, rows: u32, n_in: u32, dst: u32, da: f32) {
  if (n >= rows || i >= n_in) { return; }
  let g = da * hidden_df(z[Z_OFF[l - 1u] + (base + n) * n_in + i]);
  dz[Z_OFF[l - 1u] + (base + n) * n_in + i] = g;
  ${shared ? "buf[dst + n * MAXW + i] = g;" : "_ = dst;"}
}
`;
}

/** Kernel 3: every layer's dW and db, a 4×4 block of [dW | db] per thread, and the step's loss. */
function grads(): string {
  return `
@group(0) @binding(1) var<storage, read> x: array<f32>;      // [sample][F]
@group(0) @binding(2) var<storage, read> order: array<u32>;  // position → sample
@group(0) @binding(3) var<storage, read> acts: array<f32>;   // act(z) of the hidden layers, as z
@group(0) @binding(4) var<storage, read> dz: array<f32>;     // per layer [B][out_l]
@group(0) @binding(5) var<storage, read_write> grads: array<f32>; // params' layout
@group(0) @binding(6) var<storage, read> sq: array<f32>;     // [B]
@group(0) @binding(7) var<storage, read_write> losses: array<f32>; // [step]

const T = ${TILE}u;
var<workgroup> red: array<f32, ${GRAD_THREADS}>;

// the last workgroup: loss = Σ_n sq[n] / (count·C), a fixed-order tree sum
fn loss(t: u32) {
  var s = 0.0;
  for (var n = t; n < step.count; n += ${GRAD_THREADS}u) { s += sq[n]; }
  red[t] = s;
  workgroupBarrier();
  for (var half = ${GRAD_THREADS / 2}u; half > 0u; half >>= 1u) {
    if (t < half) { red[t] += red[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) { losses[step.index] = red[0] / f32(step.count * C); }
}

@compute @workgroup_size(${GRAD_THREADS})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  let blocks = TILE_START[L];
  let groups = (blocks + ${GRAD_THREADS - 1}u) / ${GRAD_THREADS}u;
  if (group == groups) { loss(t); return; }
  let block = group * ${GRAD_THREADS}u + t;   // this thread's T×T block of some layer's [dW | db]
  if (block >= blocks) { return; }
  var l = 0u;
  while (l + 1u < L && block >= TILE_START[l + 1u]) { l++; }
  let n_in = N_IN[l];
  let n_out = N_OUT[l];
  let local = block - TILE_START[l];
  let across = (n_in + 1u + T - 1u) / T;   // blocks along [inputs | 1]
  let j0 = (local / across) * T;
  let i0 = (local % across) * T;
  // acc_r_c = Σ_n dz[n][j0 + r]·a[n][i0 + c], in batch order   (dense.ts: dW = Σ_n dz ⊗ a, db = Σ_n dz)
  // (${TILE}×${TILE} sums, ${TILE} + ${TILE} loads per sample; unrolled so that they stay in registers)
${rows2((r, c) => `  var acc_${r}_${c} = 0.0;`)}
  // rows past the layer's outputs read the last one's dz, and are not stored; column n_in is the
  // constant input 1 whose weight is the bias, columns past it are 0
${rowsOf(TILE, (r) => `  let j_${r} = min(j0 + ${r}u, n_out - 1u);`)}
${rowsOf(TILE, (c) => `  let i_${c} = min(i0 + ${c}u, n_in - 1u);`)}
${rowsOf(TILE, (c) => `  let one_${c} = select(0.0, 1.0, i0 + ${c}u == n_in);`)}
${rowsOf(TILE, (c) => `  let real_${c} = i0 + ${c}u < n_in;`)}
  let a_base = Z_OFF[max(l, 1u) - 1u];  // the layer's inputs in acts (for l > 0)
  let dz_base = Z_OFF[l];
  for (var n = 0u; n < step.count; n++) {
    let row = dz_base + n * n_out;
${rowsOf(TILE, (r) => `    let g_${r} = dz[row + j_${r}];`)}
    // the layer's input row: x through the order for the first layer, act(z) of the layer below after
    if (l == 0u) {
      let a_row = order[step.start + n] * F;
${rowsOf(TILE, (c) => `      let a_${c} = select(one_${c}, x[a_row + i_${c}], real_${c});`)}
${rows2((r, c) => `      acc_${r}_${c} += g_${r} * a_${c};`)}
    } else {
      let a_row = a_base + n * n_in;
${rowsOf(TILE, (c) => `      let a_${c} = select(one_${c}, acts[a_row + i_${c}], real_${c});`)}
${rows2((r, c) => `      acc_${r}_${c} += g_${r} * a_${c};`)}
    }
  }
${rows2((r, c) => `  store(l, j0 + ${r}u, i0 + ${c}u, n_in, n_out, acc_${r}_${c});`)}
}

// dW[j][i] (or db[j] for i = n_in) of layer l, if it exists
fn store(l: u32, j: u32, i: u32, n_in: u32, n_out: u32, value: f32) {
  if (j < n_out && i < n_in) { grads[W_OFF[l] + j * n_in + i] = value; }
  if (j < n_out && i == n_in) { grads[B_OFF[l] + j] = value; }
}
`;
}

/** A statement per entry (r, c) of a T×T block. */
function rows2(statement: (r: number, c: number) => string): string {
  return rowsOf(TILE, (r) => rowsOf(TILE, (c) => statement(r, c)));
}

/** Kernel 4: Adam over every parameter (adam.ts), one thread each. */
function adam(layout: NetLayout, beta1: number, beta2: number, eps: number): string {
  return `
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

const P = ${layout.P}u;
@compute @workgroup_size(${ADAM_THREADS})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * ${ADAM_THREADS}u;
  if (k >= P) { return; }
  let g = grads[k];
  // m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
  let m1 = ${float(beta1)} * m[k] + ${float(1 - beta1)} * g;
  let v1 = ${float(beta2)} * v[k] + ${float(1 - beta2)} * g * g;
  m[k] = m1;
  v[k] = v1;
  // p ← p − stepSize · m / (√v / √(1 − β₂ᵗ) + ε)
  params[k] = params[k] - (step.step_size * m1) / (sqrt(v1) / step.bc2_sqrt + ${float(eps)});
}
`;
}

/**
 * The WGSL of the four kernels for a network.
 *
 * @example
 * ```ts
 * const sources = kernelSources(netLayout([2, 64, 3], 256), "relu", "sigmoid", { beta1: 0.9, beta2: 0.999, eps: 1e-8 });
 * ```
 */
export function kernelSources(
  layout: NetLayout,
  hidden: ActivationName,
  output: ActivationName,
  adamOptions: { beta1: number; beta2: number; eps: number },
): Record<KernelName, string> {
  const head = header(layout, hidden, output);
  return {
    forward: head + forward(layout),
    backward: head + backward(layout),
    grads: head + grads(),
    adam: head + adam(layout, adamOptions.beta1, adamOptions.beta2, adamOptions.eps),
  };
}
