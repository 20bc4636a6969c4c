/**
 * @module
 * The multilayer perceptron: `depth` hidden dense layers of `width` units, each followed by the
 * hidden activation, then one dense output layer followed by the output activation.
 *
 *     x ─► Dense ─► act ─► … (depth times) … ─► Dense ─► outAct ─► ŷ
 *
 * The study's network is `inputs 2, width 128, depth 4, outputs 3`: five dense layers.
 */

import { type ActivationName, activationBackward, activationForward } from "./activations/index.js";
import { createDense, type Dense, type DenseGrads, denseBackward, denseForward } from "./dense.js";
import { allocate, type DType, type FloatArray } from "./dtype.js";
import { type InitScheme, initDense } from "./init.js";
import type { Rng } from "./rng.js";

/**
 * The shape and activations of an {@link MLP}.
 *
 * @group Network
 */
export interface MLPSpec {
  /** input features (2 for raw coordinates, more after an encoding) */
  readonly inputs: number;
  /** output features (3 for RGB) */
  readonly outputs: number;
  /** units per hidden layer */
  readonly width: number;
  /** number of hidden layers (≥ 1) */
  readonly depth: number;
  /** activation after each hidden layer */
  readonly activation: ActivationName;
  /** activation after the output layer (`sigmoid` or `identity`) */
  readonly outputActivation: ActivationName;
}

/**
 * A multilayer perceptron: its spec, numeric type and dense layers (depth + 1 of them).
 *
 * @group Network
 */
export interface MLP {
  /** shape and activations */
  readonly spec: MLPSpec;
  /** numeric type of every array */
  readonly dtype: DType;
  /** the dense layers, input side first: depth hidden layers, then the output layer */
  readonly layers: Dense[];
}

/**
 * Everything the forward pass keeps for the backward pass, allocated once for a maximum batch
 * size and reused. All arrays are row-major [batch][features].
 *
 * @group Network
 */
export interface Tape {
  /** the largest batch this tape can hold */
  readonly maxBatch: number;
  /** z[l] = pre-activation of layer l (output of the dense layer), [batch][outputs of l] */
  readonly z: FloatArray[];
  /** a[l] = input of layer l; a[0] is the network input, a[l+1] = act(z[l]); a[L] is the output */
  readonly a: FloatArray[];
  /** gradient buffers dL/da[l] for l ≥ 1, reused by the backward pass */
  readonly da: FloatArray[];
}

/**
 * Build an MLP and initialise it from `rng` (layer by layer, see {@link initDense}).
 *
 * @param init - `torch` (default) or `siren`
 *
 * @example
 * ```ts
 * const spec = { inputs: 2, outputs: 3, width: 128, depth: 4, activation: "relu", outputActivation: "sigmoid" } as const;
 * const mlp = createMLP(spec, new Rng(0, "init"));
 * ```
 *
 * @group Network
 */
export function createMLP(spec: MLPSpec, rng: Rng, init: InitScheme = "torch", dtype: DType = "float32"): MLP {
  const sizes = layerSizes(spec);
  const layers: Dense[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const layer = createDense(sizes[l], sizes[l + 1], dtype);
    initDense(layer, init, l === 0, rng);
    layers.push(layer);
  }
  return { spec, dtype, layers };
}

/**
 * The feature count at each boundary: [inputs, width × depth, outputs].
 *
 * @example
 * ```ts
 * layerSizes({ inputs: 2, outputs: 3, width: 4, depth: 2, activation: "relu", outputActivation: "identity" });
 * // [2, 4, 4, 3]
 * ```
 *
 * @group Network
 */
export function layerSizes(spec: MLPSpec): number[] {
  return [spec.inputs, ...Array.from({ length: spec.depth }, () => spec.width), spec.outputs];
}

/**
 * Allocate a {@link Tape} for batches of up to `maxBatch` samples.
 *
 * @example
 * ```ts
 * const tape = createTape(mlp, 1024);
 * ```
 *
 * @group Network
 */
export function createTape(mlp: MLP, maxBatch: number): Tape {
  const sizes = layerSizes(mlp.spec);
  const alloc = (n: number) => allocate(mlp.dtype, maxBatch * n);
  return {
    maxBatch,
    z: sizes.slice(1).map(alloc),
    a: sizes.map(alloc),
    da: sizes.map(alloc),
  };
}

/**
 * Zeroed gradient arrays shaped like the MLP's parameters.
 *
 * @example
 * ```ts
 * const grads = createGrads(mlp); // grads[l].weight, grads[l].bias
 * ```
 *
 * @group Network
 */
export function createGrads(mlp: MLP): DenseGrads[] {
  return mlp.layers.map((layer) => ({ weight: allocate(mlp.dtype, layer.weight.length), bias: allocate(mlp.dtype, layer.bias.length) }));
}

/**
 * The activation that follows layer `l`.
 *
 * @example
 * ```ts
 * activationAfter(mlp, mlp.layers.length - 1); // the output activation
 * ```
 *
 * @group Network
 */
export function activationAfter(mlp: MLP, l: number): ActivationName {
  return l === mlp.layers.length - 1 ? mlp.spec.outputActivation : mlp.spec.activation;
}

/**
 * Forward pass. Copies `x` (row-major [batch][inputs]) into the tape and returns the output
 * a[L], row-major [batch][outputs] — a view into the tape, overwritten by the next call.
 *
 * @example
 * ```ts
 * const out = mlpForward(mlp, tape, Float32Array.of(0.5, 0.5), 1); // 3 colour values
 * ```
 *
 * @group Network
 */
export function mlpForward(mlp: MLP, tape: Tape, x: FloatArray, batch: number): FloatArray {
  if (batch > tape.maxBatch) throw new RangeError(`batch ${batch} exceeds the tape's maxBatch ${tape.maxBatch}`);
  tape.a[0].set(x.subarray(0, batch * mlp.spec.inputs));
  // #region mlpForward
  for (let l = 0; l < mlp.layers.length; l++) {
    const layer = mlp.layers[l];
    // z[l] = a[l]·Wᵀ + b
    denseForward(layer, tape.a[l], tape.z[l], batch);
    // a[l+1] = act(z[l])
    activationForward(activationAfter(mlp, l), tape.z[l], tape.a[l + 1], batch * layer.outputs);
  }
  // #endregion mlpForward
  return tape.a[mlp.layers.length].subarray(0, batch * mlp.spec.outputs);
}

/**
 * Backward pass, after {@link mlpForward} on the same tape and batch. Given dL/dŷ
 * (row-major [batch][outputs]) it writes dL/dW and dL/db of every layer into `grads`, and
 * returns dL/dx (row-major [batch][inputs]) when `wantInputGrad` is set, else `null`.
 *
 * @example
 * ```ts
 * mlpForward(mlp, tape, x, batch);
 * mlpBackward(mlp, tape, dOut, grads, batch);
 * ```
 *
 * @group Network
 */
export function mlpBackward(mlp: MLP, tape: Tape, dOut: FloatArray, grads: DenseGrads[], batch: number, wantInputGrad = false): FloatArray | null {
  const L = mlp.layers.length;
  tape.da[L].set(dOut.subarray(0, batch * mlp.spec.outputs));
  // #region mlpBackward
  for (let l = L - 1; l >= 0; l--) {
    const layer = mlp.layers[l];
    // dz[l] = da[l+1] ⊙ act'(z[l])   (written over da[l+1], which is not needed again)
    const dz = tape.da[l + 1];
    activationBackward(activationAfter(mlp, l), tape.z[l], dz, dz, batch * layer.outputs);
    // dW[l], db[l], and da[l] = dz[l]·W[l]
    const needDx = l > 0 || wantInputGrad;
    denseBackward(layer, tape.a[l], dz, grads[l], needDx ? tape.da[l] : null, batch);
  }
  // #endregion mlpBackward
  return wantInputGrad ? tape.da[0].subarray(0, batch * mlp.spec.inputs) : null;
}

/**
 * The parameter arrays in a fixed order — [W₀, b₀, W₁, b₁, …] — as the optimiser sees them.
 *
 * @example
 * ```ts
 * parameterArrays(mlp).length; // 2 × number of layers
 * ```
 *
 * @group Network
 */
export function parameterArrays(mlp: MLP): FloatArray[] {
  return mlp.layers.flatMap((layer) => [layer.weight, layer.bias]);
}

/**
 * The gradient arrays in the same order as {@link parameterArrays}.
 *
 * @example
 * ```ts
 * adamStep(parameterArrays(mlp), gradientArrays(grads), state, opts, lr);
 * ```
 *
 * @group Network
 */
export function gradientArrays(grads: DenseGrads[]): FloatArray[] {
  return grads.flatMap((g) => [g.weight, g.bias]);
}
