/**
 * @module
 * The argument checks of the library's functions ({@link checkArg} and the schema pieces, in
 * `src/args.ts`, shared with the backends), and the check of a model's parts against its config.
 */

import { checkWeights } from "../backends/checks.js";
import type { Config } from "../config.js";
import { sapeStateLength, sapeStateProblem } from "../encoding/sape.js";
import { InvalidArgumentError, quote } from "../errors.js";
import { networkSpec } from "../network.js";

export * from "../args.js";

/**
 * A model's parts checked against each other: weights that fit the network the config implies,
 * and the Gaussian matrix B (or SAPE's state) where (and only where) the encoding has one.
 *
 * @throws {@link ModelFileError} or {@link InvalidArgumentError}
 */
export function checkModelParts(config: Config, weights: unknown, matrix: unknown): void {
  checkWeights(networkSpec(config), weights as never);
  const { encoding } = config;
  if (encoding.type === "gaussian") {
    if (!(matrix instanceof Float32Array) || matrix.length !== 2 * encoding.features || !matrix.every(Number.isFinite))
      throw new InvalidArgumentError(
        `a Gaussian encoding needs its matrix B, a Float32Array of ${2 * encoding.features} finite values ([${encoding.features}][2]), got ${quote(matrix)}`,
      );
  } else if (encoding.type === "sape") {
    const length = sapeStateLength({ features: encoding.features, grid: encoding.grid });
    if (!(matrix instanceof Float32Array) || matrix.length !== length || !matrix.every(Number.isFinite))
      throw new InvalidArgumentError(
        `a SAPE encoding needs its state, a Float32Array of ${length} finite values (B [${encoding.features}][2], then two [${encoding.grid}][${encoding.grid}] grids), got ${quote(matrix)}`,
      );
    const problem = sapeStateProblem(matrix, encoding);
    if (problem !== null) throw new InvalidArgumentError(`a SAPE state's ${problem}`);
  } else if (matrix !== null)
    throw new InvalidArgumentError(`the matrix is for Gaussian and SAPE encodings only; this config's encoding is ${encoding.type}, so it must be null`);
}
