// The backprop stepper's engine (web/stepper.html shows it; test/stepper.test.ts checks it in Node).
//
// A tiny MLP learns a few pixels of a 4×4 grey image, one reference call at a time: every step
// below calls one exported function of src/reference/ (denseForward, activationForward,
// mseForward, mseBackward, activationBackward, denseBackward, adamStep) on the reference's own
// arrays, in the order of src/reference/step.ts's trainStep (the training step the reference
// backend runs: mlpForward, mseForward, mseBackward, mlpBackward, adamStep), with mlpForward and
// mlpBackward opened into their loops. The stepper makes those calls itself rather than calling
// trainStep, so that it can stop after each one; test/reference-step.test.ts checks that its order
// is trainStep's and that a step ends where trainStep ends. No arithmetic is written here: the
// numbers are the reference's. Each step records which
// lines of which file it executes and a copy of every array after it; only the latest HISTORY
// training steps are kept, so that memory stays bounded however long the student steps.
//
// Browser-safe: imports only the built reference (as web/ does) and no Node module.
import { pixelCoordinates } from "../dist/encoding/normalize.js";
import {
  type ActivationName,
  type AdamOptions,
  type AdamState,
  activationAfter,
  activationBackward,
  activationForward,
  adamStep,
  allocate,
  createAdamState,
  createMLP,
  createStepBuffers,
  type DenseGrads,
  type DType,
  denseBackward,
  denseForward,
  type FloatArray,
  gradientArrays,
  layerSizes,
  lossAndGradients,
  type MLP,
  type MLPSpec,
  mlpForward,
  mseBackward,
  mseForward,
  parameterArrays,
  Rng,
  type Tape,
} from "../dist/reference/index.js";

/** What the student can change. */
export interface StepperOptions {
  /** units per hidden layer */
  readonly width: number;
  /** number of hidden layers */
  readonly depth: number;
  /** activation after each hidden layer */
  readonly activation: ActivationName;
  /** activation after the output layer */
  readonly outputActivation: ActivationName;
  /** how many pixels of the 4×4 image make the batch */
  readonly pixels: number;
  /** seeds the initial weights (stream "init", as the library) and the choice of pixels */
  readonly seed: number;
  /** Adam's learning rate */
  readonly lr: number;
  /** numeric type of every array (float64: exact finite differences; float32: what a real run uses) */
  readonly dtype: DType;
}

/** The default: 2 → 3 → 3 → 1 on 4 pixels, ReLU then sigmoid (the study's activations). */
export const DEFAULT_OPTIONS: StepperOptions = {
  width: 3,
  depth: 2,
  activation: "relu",
  outputActivation: "sigmoid",
  pixels: 4,
  seed: 0,
  lr: 0.01,
  dtype: "float64",
};

/** Limits that keep every array readable on one screen. */
export const LIMITS = { width: [1, 8], depth: [1, 4], pixels: [1, 16] } as const;

/** The hidden activations offered (every one the reference knows but identity). */
export const HIDDEN_ACTIVATIONS: readonly ActivationName[] = ["relu", "tanh", "gelu", "elu", "sine"];
/** The output activations offered. */
export const OUTPUT_ACTIVATIONS: readonly ActivationName[] = ["sigmoid", "identity"];

/** PyTorch's defaults, as the library's config. */
export const ADAM: AdamOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * How many training steps the stepper keeps (the one in progress included): their calls, each
 * with a copy of every array, and the parameters their forward pass used. Older ones are dropped,
 * so Previous goes back at most this far and memory stays bounded (at the largest options,
 * 8 wide, 4 deep, 16 pixels, a call's copy is ~1,800 numbers and a training step 25 calls: ~1e6
 * numbers for 20 steps).
 */
export const HISTORY = 20;

/** Side of the square grey image the pixels come from. */
export const IMAGE_SIZE = 4;

/**
 * The 4×4 grey image: a diagonal ramp with a checkerboard on top, so that no straight line fits
 * it. Row-major, value of pixel (x, y) at y·4 + x.
 */
export function tinyImage(): number[] {
  const out: number[] = [];
  for (let y = 0; y < IMAGE_SIZE; y++)
    for (let x = 0; x < IMAGE_SIZE; x++) out.push(0.2 + (0.6 * (x + y)) / (2 * (IMAGE_SIZE - 1)) + ((x + y) % 2 === 0 ? 0.1 : -0.1));
  return out;
}

/** Check the options; a bad one gives one line starting `coordnet:`. */
export function checkOptions(o: StepperOptions): StepperOptions {
  const int = (name: keyof typeof LIMITS, v: number) => {
    const [lo, hi] = LIMITS[name];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`coordnet: ${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
  };
  int("width", o.width);
  int("depth", o.depth);
  int("pixels", o.pixels);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`coordnet: seed must be a whole number ≥ 0, got ${o.seed}`);
  if (!Number.isFinite(o.lr) || o.lr <= 0) throw new Error(`coordnet: lr must be a number > 0, got ${o.lr}`);
  if (!HIDDEN_ACTIVATIONS.includes(o.activation)) throw new Error(`coordnet: activation must be one of ${HIDDEN_ACTIVATIONS.join(", ")}, got ${o.activation}`);
  if (!OUTPUT_ACTIVATIONS.includes(o.outputActivation))
    throw new Error(`coordnet: output activation must be one of ${OUTPUT_ACTIVATIONS.join(", ")}, got ${o.outputActivation}`);
  if (o.dtype !== "float32" && o.dtype !== "float64") throw new Error(`coordnet: dtype must be float32 or float64, got ${o.dtype}`);
  return o;
}

/** The MLP spec of the options: 2 inputs (x, y), one grey output. */
export function specOf(o: StepperOptions): MLPSpec {
  return { inputs: 2, outputs: 1, width: o.width, depth: o.depth, activation: o.activation, outputActivation: o.outputActivation };
}

/** The batch: which pixels (shuffled by Rng(seed, "pixels"), the first `pixels` of them), their inputs and targets. */
export interface Batch {
  /** pixel indices y·4 + x, in batch order */
  readonly pixels: number[];
  /** row-major [batch][2]: normalised [x, y] in [0, 1], as the library's pixelCoordinates */
  readonly x: FloatArray;
  /** row-major [batch][1]: the grey value */
  readonly target: FloatArray;
}

/** The batch of the options. */
export function batchOf(o: StepperOptions): Batch {
  const order = new Rng(o.seed, "pixels").shuffle(Array.from({ length: IMAGE_SIZE * IMAGE_SIZE }, (_, i) => i));
  const pixels = order.slice(0, o.pixels);
  const coords = pixelCoordinates(IMAGE_SIZE, IMAGE_SIZE, "01", "float64");
  const image = tinyImage();
  const x = allocate(o.dtype, 2 * pixels.length);
  const target = allocate(o.dtype, pixels.length);
  pixels.forEach((p, n) => {
    x[2 * n] = coords[2 * p];
    x[2 * n + 1] = coords[2 * p + 1];
    target[n] = image[p];
  });
  return { pixels, x, target };
}

/** The MLP of the options, initialised as the library does (Rng(seed, "init"); siren init for sine). */
export function mlpOf(o: StepperOptions): MLP {
  return createMLP(specOf(o), new Rng(o.seed, "init"), o.activation === "sine" ? "siren" : "torch", o.dtype);
}

/**
 * Where in src/reference a step's code is: a `// #region NAME` … `// #endregion NAME` block, an
 * `export function NAME(` declaration down to its closing `}`, or the first line containing a
 * text (within a region, when given).
 */
export type Locator = { readonly region: string } | { readonly fn: string } | { readonly line: string; readonly within?: string };

/** Lines of one file a step executes (paths relative to the repository root). */
export interface SourceRef {
  readonly file: string;
  readonly at: readonly Locator[];
}

/** One step: one call of a reference function. */
export interface Step {
  /** 0-based number of the call since the stepper was made (steps[0] of the initialisation); kept
   * after older steps are dropped, so it is not always the position in {@link Stepper.steps} */
  readonly index: number;
  /** which training step (1-based) this call belongs to */
  readonly t: number;
  readonly phase: "forward" | "loss" | "backward" | "update";
  /** the reference function called (or the line run, for the copies into the tape) */
  readonly fn: string;
  /** the layer, where the call is per layer */
  readonly layer: number | null;
  /** one line: what the call computes */
  readonly title: string;
  /** the caller's line first (mlp.ts's loop), then the callee's lines */
  readonly sources: readonly SourceRef[];
  /** names of the arrays this call wrote */
  readonly writes: readonly string[];
  /** a copy of every array after this call, by name */
  readonly arrays: Readonly<Record<string, number[]>>;
}

const MLP_TS = "src/reference/mlp.ts";
const DENSE_TS = "src/reference/dense.ts";
const MSE_TS = "src/reference/mse.ts";
const ADAM_TS = "src/reference/adam.ts";
const ACT_TS = "src/reference/activations/index.ts";
const actFile = (name: ActivationName) => `src/reference/activations/${name}.ts`;

/** The source files a stepper may quote. */
export const SOURCE_FILES: readonly string[] = [MLP_TS, DENSE_TS, MSE_TS, ADAM_TS, ACT_TS, ...[...HIDDEN_ACTIVATIONS, ...OUTPUT_ACTIVATIONS].map(actFile)];

/**
 * The 1-based first and last line a locator selects in `text`; throws when it is not there (the
 * source changed under the stepper: test/stepper.test.ts resolves every locator on the real files).
 */
export function locate(text: string, at: Locator): [number, number] {
  // \r?\n: a checkout with Windows line endings must select the same lines
  const lines = splitLines(text);
  const find = (pred: (s: string) => boolean, from = 0, to = lines.length) => {
    for (let i = from; i < to; i++) if (pred(lines[i])) return i;
    return -1;
  };
  const region = (name: string): [number, number] => {
    const open = find((s) => s.trim() === `// #region ${name}`);
    const close = find((s) => s.trim() === `// #endregion ${name}`, open + 1);
    if (open < 0 || close < 0) throw new Error(`coordnet: no region ${name}`);
    return [open + 2, close];
  };
  if ("region" in at) return region(at.region);
  if ("fn" in at) {
    const start = find((s) => s.startsWith(`export function ${at.fn}(`));
    const end = find((s) => s === "}", start + 1);
    if (start < 0 || end < 0) throw new Error(`coordnet: no function ${at.fn}`);
    return [start + 1, end + 1];
  }
  const [from, to] = at.within === undefined ? [1, lines.length] : region(at.within);
  const i = find((s) => s.includes(at.line), from - 1, to);
  if (i < 0) throw new Error(`coordnet: no line '${at.line}'`);
  return [i + 1, i + 1];
}

/** The lines of a text, with Unix or Windows line endings. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Rows × columns of each named array, for display. */
export type Shapes = Record<string, [number, number]>;

/**
 * The stepper: the reference's MLP, tape, gradients and Adam state for the options, and the
 * calls made so far. {@link Stepper.next} makes one more call.
 */
export class Stepper {
  readonly options: StepperOptions;
  readonly batch: Batch;
  readonly mlp: MLP;
  readonly tape: Tape;
  readonly grads: DenseGrads[];
  /** dL/dŷ, row-major [batch][1] (the reference trainer's dOut) */
  readonly dOut: FloatArray;
  readonly adam: AdamState;
  /** the loss of the latest mseForward (a JavaScript number: float64 in either dtype) */
  readonly loss = new Float64Array(1);
  /** the calls of the latest {@link HISTORY} training steps (the initialisation, t = 0, until it is dropped), oldest first */
  readonly steps: Step[] = [];
  /** the parameters each kept training step's forward pass used, [W₀, b₀, W₁, …], by training step t */
  private readonly forwardParams = new Map<number, number[][]>();
  /** how many calls were made, the dropped ones included */
  private calls = 0;
  readonly shapes: Shapes = {};
  private readonly named: [string, FloatArray][] = [];
  private readonly program: Generator<Omit<Step, "index" | "arrays">, never>;

  constructor(options: StepperOptions = DEFAULT_OPTIONS) {
    this.options = checkOptions(options);
    this.batch = batchOf(options);
    this.mlp = mlpOf(options);
    const B = this.batch.pixels.length;
    const buffers = createStepBuffers(this.mlp, B);
    this.tape = buffers.tape;
    this.grads = buffers.grads;
    this.dOut = buffers.dOut;
    this.adam = createAdamState(parameterArrays(this.mlp));
    const L = this.mlp.layers.length;
    const sizes = layerSizes(this.mlp.spec);
    const add = (name: string, a: FloatArray, rows: number, cols: number) => {
      this.named.push([name, a]);
      this.shapes[name] = [rows, cols];
    };
    this.mlp.layers.forEach((layer, l) => {
      add(`W[${l}]`, layer.weight, layer.outputs, layer.inputs);
      add(`b[${l}]`, layer.bias, 1, layer.outputs);
    });
    for (let l = 0; l <= L; l++) add(`a[${l}]`, this.tape.a[l], B, sizes[l]);
    for (let l = 0; l < L; l++) add(`z[${l}]`, this.tape.z[l], B, sizes[l + 1]);
    add("loss", this.loss, 1, 1);
    add("dOut", this.dOut, B, 1);
    // da[0] is never written: the first layer's input gradient is not needed
    for (let l = L; l >= 1; l--) add(`da[${l}]`, this.tape.da[l], B, sizes[l]);
    this.grads.forEach((g, l) => {
      add(`dW[${l}]`, g.weight, this.mlp.layers[l].outputs, this.mlp.layers[l].inputs);
      add(`db[${l}]`, g.bias, 1, this.mlp.layers[l].outputs);
    });
    parameterNames(L).forEach((p, k) => {
      const [rows, cols] = this.shapes[p];
      add(`m(${p})`, this.adam.m[k], rows, cols);
      add(`v(${p})`, this.adam.v[k], rows, cols);
    });
    this.program = this.run();
    this.record({
      t: 0,
      phase: "forward",
      fn: "createMLP",
      layer: null,
      title: `createMLP initialises every W and b from Rng(${options.seed}, "init")`,
      sources: [{ file: MLP_TS, at: [{ fn: "createMLP" }] }],
      writes: this.named.filter(([n]) => /^[Wb]\[/.test(n)).map(([n]) => n),
    });
  }

  /** Make the next call; returns its step. */
  next(): Step {
    return this.record(this.program.next().value);
  }

  /** Make calls up to and including the end of the current training step (adamStep). */
  runToEndOfStep(): Step {
    for (;;) {
      const step = this.next();
      if (step.fn === "adamStep") return step;
    }
  }

  /**
   * The parameters training step `t`'s forward pass used ([W₀, b₀, W₁, …], as parameterArrays),
   * or undefined when step t has not begun or was dropped (older than {@link HISTORY} steps).
   */
  paramsAtForward(t: number): number[][] | undefined {
    return this.forwardParams.get(t);
  }

  /** The kept step whose {@link Step.index} is `index`, or undefined when it was dropped or is not made yet. */
  at(index: number): Step | undefined {
    const first = this.steps[0].index;
    return index >= first ? this.steps[index - first] : undefined;
  }

  /** The latest step. */
  get current(): Step {
    return this.steps[this.steps.length - 1];
  }

  /** The kept steps as plain data (what the page exposes as `window.coordnetStepper.trace()`). */
  trace(): Step[] {
    return this.steps;
  }

  private record(s: Omit<Step, "index" | "arrays">): Step {
    const arrays: Record<string, number[]> = {};
    for (const [name, a] of this.named) arrays[name] = Array.from(a);
    const step: Step = { ...s, index: this.calls++, arrays };
    this.steps.push(step);
    // keep training steps t − HISTORY + 1 … t
    const oldest = s.t - HISTORY + 1;
    let drop = 0;
    while (this.steps[drop].t < oldest) drop++;
    if (drop > 0) this.steps.splice(0, drop);
    for (const t of this.forwardParams.keys()) if (t < oldest) this.forwardParams.delete(t);
    return step;
  }

  /** The calls of trainStep (src/reference/step.ts), mlpForward and mlpBackward opened into their loops, forever. */
  private *run(): Generator<Omit<Step, "index" | "arrays">, never> {
    const { mlp, tape, grads, dOut, batch } = this;
    const B = batch.pixels.length;
    const L = mlp.layers.length;
    const n = B * mlp.spec.outputs;
    for (let t = 1; ; t++) {
      this.forwardParams.set(
        t,
        parameterArrays(mlp).map((p) => Array.from(p)),
      );
      // mlpForward
      tape.a[0].set(batch.x.subarray(0, B * mlp.spec.inputs));
      yield {
        t,
        phase: "forward",
        fn: "mlpForward",
        layer: null,
        title: "mlpForward copies the batch into the tape: a[0] = x (one row per pixel, [x, y])",
        sources: [{ file: MLP_TS, at: [{ line: "tape.a[0].set(" }] }],
        writes: ["a[0]"],
      };
      for (let l = 0; l < L; l++) {
        const layer = mlp.layers[l];
        denseForward(layer, tape.a[l], tape.z[l], B);
        yield {
          t,
          phase: "forward",
          fn: "denseForward",
          layer: l,
          title: `layer ${l}: z[${l}] = a[${l}]·W[${l}]ᵀ + b[${l}]`,
          sources: [
            { file: MLP_TS, at: [{ line: "denseForward(", within: "mlpForward" }] },
            { file: DENSE_TS, at: [{ region: "denseForward" }] },
          ],
          writes: [`z[${l}]`],
        };
        const act = activationAfter(mlp, l);
        activationForward(act, tape.z[l], tape.a[l + 1], B * layer.outputs);
        yield {
          t,
          phase: "forward",
          fn: "activationForward",
          layer: l,
          title: `layer ${l}: a[${l + 1}] = ${act}(z[${l}])${l === L - 1 ? ", the network's output ŷ" : ""}`,
          sources: [
            { file: MLP_TS, at: [{ line: "activationForward(", within: "mlpForward" }] },
            { file: ACT_TS, at: [{ fn: "activationForward" }] },
            { file: actFile(act), at: [{ fn: act }] },
          ],
          writes: [`a[${l + 1}]`],
        };
      }
      const pred = tape.a[L];
      this.loss[0] = mseForward(pred, batch.target, n);
      yield {
        t,
        phase: "loss",
        fn: "mseForward",
        layer: null,
        title: "loss L = mean over the batch of (ŷ − target)²",
        sources: [{ file: MSE_TS, at: [{ region: "mseForward" }] }],
        writes: ["loss"],
      };
      mseBackward(pred, batch.target, dOut, n);
      yield {
        t,
        phase: "loss",
        fn: "mseBackward",
        layer: null,
        title: "dOut = dL/dŷ = 2·(ŷ − target) / n",
        sources: [{ file: MSE_TS, at: [{ region: "mseBackward" }] }],
        writes: ["dOut"],
      };
      // mlpBackward
      tape.da[L].set(dOut.subarray(0, n));
      yield {
        t,
        phase: "backward",
        fn: "mlpBackward",
        layer: null,
        title: `mlpBackward copies dL/dŷ into the tape: da[${L}] = dOut`,
        sources: [{ file: MLP_TS, at: [{ line: "tape.da[L].set(" }] }],
        writes: [`da[${L}]`],
      };
      for (let l = L - 1; l >= 0; l--) {
        const layer = mlp.layers[l];
        const act = activationAfter(mlp, l);
        const dz = tape.da[l + 1];
        activationBackward(act, tape.z[l], dz, dz, B * layer.outputs);
        yield {
          t,
          phase: "backward",
          fn: "activationBackward",
          layer: l,
          title: `layer ${l}: dz[${l}] = da[${l + 1}] ⊙ ${act}′(z[${l}]), written over da[${l + 1}]`,
          sources: [
            { file: MLP_TS, at: [{ line: "activationBackward(", within: "mlpBackward" }] },
            { file: ACT_TS, at: [{ region: "activationBackward" }] },
            { file: actFile(act), at: [{ fn: `${act}Grad` }] },
          ],
          writes: [`da[${l + 1}]`],
        };
        const needDx = l > 0;
        denseBackward(layer, tape.a[l], dz, grads[l], needDx ? tape.da[l] : null, B);
        yield {
          t,
          phase: "backward",
          fn: "denseBackward",
          layer: l,
          title: `layer ${l}: dW[${l}] = dz[${l}]ᵀ·a[${l}], db[${l}] = Σ dz[${l}]${needDx ? `, da[${l}] = dz[${l}]·W[${l}]` : " (the input's gradient is not needed)"}`,
          sources: [
            { file: MLP_TS, at: [{ line: "denseBackward(", within: "mlpBackward" }] },
            { file: DENSE_TS, at: needDx ? [{ region: "denseBackwardParams" }, { region: "denseBackwardInput" }] : [{ region: "denseBackwardParams" }] },
          ],
          writes: needDx ? [`dW[${l}]`, `db[${l}]`, `da[${l}]`] : [`dW[${l}]`, `db[${l}]`],
        };
      }
      adamStep(parameterArrays(mlp), gradientArrays(grads), this.adam, ADAM, this.options.lr);
      const params = parameterNames(L);
      yield {
        t,
        phase: "update",
        fn: "adamStep",
        layer: null,
        title: `Adam step ${t}: m, v and every W and b (lr ${this.options.lr}, β₁ ${ADAM.beta1}, β₂ ${ADAM.beta2}, ε ${ADAM.eps})`,
        sources: [{ file: ADAM_TS, at: [{ region: "adamStep" }] }],
        writes: [...params.flatMap((p) => [`m(${p})`, `v(${p})`]), ...params],
      };
    }
  }
}

/** [W[0], b[0], W[1], …]: the names of parameterArrays' arrays, in its order. */
export function parameterNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, l) => [`W[${l}]`, `b[${l}]`]).flat();
}

/** The numerical and the backprop gradient of one parameter. */
export interface GradientCheck {
  /** (L(w + h) − L(w − h)) / 2h, in float64 */
  readonly numerical: number;
  /** dL/dw from the reference's mlpBackward, in the stepper's dtype */
  readonly backprop: number;
  /** |numerical − backprop| / max(|numerical|, |backprop|); 0 when both are 0 */
  readonly relative: number;
  readonly h: number;
}

/**
 * Check one gradient by central differences, at the parameters `params` ([W₀, b₀, …], as
 * {@link Stepper.paramsAtForward} gives them): the loss is the reference's mlpForward and
 * mseForward on a float64 copy (float32 copies exactly into float64; in float32 a step of h ~ 1e-6
 * would be rounded away), the backprop gradient the reference's mlpBackward in the options' dtype.
 *
 * @param which - `W` (index into row-major [outputs][inputs]) or `b`
 */
export function gradientCheck(o: StepperOptions, params: number[][], layer: number, which: "W" | "b", index: number, h = 1e-6): GradientCheck {
  const k = 2 * layer + (which === "W" ? 0 : 1);
  if (!Number.isInteger(layer) || layer < 0 || k >= params.length) throw new Error(`coordnet: no layer ${layer}`);
  if (!Number.isInteger(index) || index < 0 || index >= params[k].length) throw new Error(`coordnet: ${which}[${layer}] has no index ${index}`);
  const at = (dtype: DType) => {
    const opts = { ...o, dtype };
    const mlp = mlpOf(opts);
    parameterArrays(mlp).forEach((p, j) => {
      p.set(params[j]);
    });
    const batch = batchOf(opts);
    return { mlp, batch, buffers: createStepBuffers(mlp, batch.pixels.length), n: batch.pixels.length };
  };
  // the numerical gradient, in float64
  const f64 = at("float64");
  const p = parameterArrays(f64.mlp)[k];
  const lossAt = (w: number) => {
    p[index] = w;
    return mseForward(mlpForward(f64.mlp, f64.buffers.tape, f64.batch.x, f64.n), f64.batch.target, f64.n);
  };
  const w = p[index];
  const numerical = (lossAt(w + h) - lossAt(w - h)) / (2 * h);
  p[index] = w;
  // the backprop gradient, as a training step computes it
  const bp = at(o.dtype);
  lossAndGradients(bp.mlp, bp.buffers, bp.batch.x, bp.batch.target, bp.n);
  const backprop = gradientArrays(bp.buffers.grads)[k][index];
  const scale = Math.max(Math.abs(numerical), Math.abs(backprop));
  return { numerical, backprop, relative: scale === 0 ? 0 : Math.abs(numerical - backprop) / scale, h };
}
