// The pictures' numbers, without the DOM: every layer's outputs over a grid of the image's
// coordinates, from the reference forward (coordnet/reference). The training worker runs it every
// few epochs (so the page's thread only paints), the page once more for an enlarged unit.
import type { Config } from "coordnet";
import type { LayerWeights } from "coordnet/backends";
import { createEncoder, encodeImageGrid } from "coordnet/encoding";
import { createTape, type MLP, type MLPSpec, mlpForward } from "coordnet/reference";

/** Thumbnail side, in grid points. */
export const GRID = 32;
/** Units drawn per layer (and input features per encoding). */
export const SHOWN = 8;

/** The network of `weights`, as the reference's MLP (the arrays are the trainer's, row-major [outputs][inputs]). */
function referenceMLP(config: Config, weights: LayerWeights[]): MLP {
  const { width, depth, activation, outputActivation } = config.network;
  const layers = weights.map((w) => ({ inputs: w.weight.length / w.bias.length, outputs: w.bias.length, weight: w.weight, bias: w.bias }));
  const spec: MLPSpec = { inputs: layers[0].inputs, outputs: 3, width, depth, activation, outputActivation };
  return { spec, dtype: "float32", layers };
}

/**
 * Every layer's outputs over a side×side grid: [0] the network's inputs (after the encoding), then
 * each hidden layer's activations, each row-major [side·side][units].
 */
export function activations(config: Config, weights: LayerWeights[], matrix: Float32Array | null, side: number): Float32Array[] {
  const encoder = createEncoder(config.encoding, config.training.seed, matrix ?? undefined);
  const x = encodeImageGrid(encoder, side, side) as Float32Array;
  const mlp = referenceMLP(config, weights);
  const tape = createTape(mlp, side * side);
  mlpForward(mlp, tape, x, side * side);
  // a[0] is the input, a[1..depth] the hidden activations
  return tape.a.slice(0, mlp.spec.depth + 1) as Float32Array[];
}

/** The shown units' planes: per column (inputs, then each hidden layer) its width and [shown][side·side]. */
export interface UnitPlanes {
  side: number;
  columns: { width: number; planes: Float32Array }[];
}

/** The first SHOWN units of each column, each as a side×side plane. */
export function unitPlanes(config: Config, weights: LayerWeights[], matrix: Float32Array | null, side = GRID): UnitPlanes {
  const columns = activations(config, weights, matrix, side).map((values) => {
    const width = values.length / (side * side);
    const shown = Math.min(SHOWN, width);
    // row-major [shown][side·side]
    const planes = new Float32Array(shown * side * side);
    for (let u = 0; u < shown; u++) for (let p = 0; p < side * side; p++) planes[u * side * side + p] = values[p * width + u];
    return { width, planes };
  });
  return { side, columns };
}
