/**
 * @module
 * Pixel coordinates → network inputs.
 *
 * Convention (it matters when comparing with PyTorch code): samples are in **row-major pixel
 * order**, sample index `y·W + x`, and each sample's input vector is **`[x, y]`** (column first).
 * With `range = "01"`, x ↦ x/(W−1) and y ↦ y/(H−1), so the corner pixels sit exactly on 0 and 1;
 * with `range = "11"`, x ↦ 2·x/(W−1) − 1. A dimension of size 1 maps to 0 (range 01) or −1
 * (range 11), since W − 1 = 0 leaves no span to divide.
 */

import type { CoordRange } from "../config.js";
import type { DType, FloatArray } from "../reference/dtype.js";
import { allocateOrRefuse, checkDType, checkRange, checkWhole, MAX_SIDE } from "./check.js";

/**
 * Normalise one pixel index to the chosen range.
 *
 * @param i - pixel index along one axis, 0 … size − 1
 * @param size - the axis length (W or H)
 *
 * @example
 * ```ts
 * normalizeCoordinate(0, 512, "11"); // -1
 * normalizeCoordinate(511, 512, "11"); // 1
 * ```
 *
 * @group Coordinates
 */
export function normalizeCoordinate(i: number, size: number, range: CoordRange): number {
  const t = size > 1 ? i / (size - 1) : 0;
  return range === "01" ? t : 2 * t - 1;
}

/**
 * The normalised coordinates of every pixel of a W×H image.
 *
 * @returns row-major [H·W][2]: entry `(y·W + x)` holds `[x', y']`
 *
 * @example
 * ```ts
 * pixelCoordinates(2, 2, "01"); // [0,0, 1,0, 0,1, 1,1]
 * ```
 *
 * @group Coordinates
 */
export function pixelCoordinates(width: number, height: number, range: CoordRange, dtype: DType = "float32"): FloatArray {
  checkWhole("pixelCoordinates", "width", width, 1, MAX_SIDE);
  checkWhole("pixelCoordinates", "height", height, 1, MAX_SIDE);
  checkRange("pixelCoordinates", range);
  const out = allocateOrRefuse("pixelCoordinates", checkDType("pixelCoordinates", dtype), width * height * 2, `${width}×${height} pixels`);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 2;
      out[k] = normalizeCoordinate(x, width, range);
      out[k + 1] = normalizeCoordinate(y, height, range);
    }
  }
  return out;
}
