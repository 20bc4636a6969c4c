// What each call of the default stepper network's (2→3→3→1) first training step computes, written by
// hand from what each reference function does — not from web/stepper-diagram.ts, which
// test/stepper-diagram.test.ts (in Node) and test/stepper-browser.test.ts (the page) check against it.

/** The ids of every unit of a[l] for each l in `layers` ("loss" for the loss), sorted. */
export const units = (sizes: readonly number[], layers: readonly (number | "loss")[]): string[] =>
  layers.flatMap((l) => (l === "loss" ? ["loss"] : Array.from({ length: sizes[l] }, (_, j) => `n${l}-${j}`))).sort();

/** Sizes of a[0] … a[3] of the default network. */
export const DEFAULT_SIZES = [2, 3, 3, 1] as const;

/**
 * The calls of the default network's first training step (and the next one's first call), from
 * the initialisation: [fn, layer, units of these a[l] lit, weights of these W[l] lit ("loss": the
 * ŷ → L link), which way the values flow].
 */
export const DEFAULT_CALLS: readonly [string, number | null, (number | "loss")[], (number | "loss")[], string][] = [
  ["createMLP", null, [1, 2, 3], [0, 1, 2], "update"], // every W and b set
  ["mlpForward", null, [0], [], "forward"], // a[0] = x
  ["denseForward", 0, [1], [0], "forward"], // z[0] = a[0]·W[0]ᵀ + b[0]
  ["activationForward", 0, [1], [], "forward"], // a[1] = relu(z[0])
  ["denseForward", 1, [2], [1], "forward"],
  ["activationForward", 1, [2], [], "forward"],
  ["denseForward", 2, [3], [2], "forward"],
  ["activationForward", 2, [3], [], "forward"], // ŷ = sigmoid(z[2])
  ["mseForward", null, ["loss"], ["loss"], "forward"], // L from ŷ
  ["mseBackward", null, [3], ["loss"], "backward"], // dL/dŷ, back from L
  ["mlpBackward", null, [3], [], "backward"], // da[3] = dOut
  ["activationBackward", 2, [3], [], "backward"], // dz[2] at ŷ's units
  ["denseBackward", 2, [2, 3], [2], "backward"], // dW[2], db[2] (ŷ's bias), da[2]
  ["activationBackward", 1, [2], [], "backward"],
  ["denseBackward", 1, [1, 2], [1], "backward"],
  ["activationBackward", 0, [1], [], "backward"],
  ["denseBackward", 0, [1], [0], "backward"], // dW[0], db[0]; no da[0]
  ["adamStep", null, [1, 2, 3], [0, 1, 2], "update"], // every W and b, and their m and v
  ["mlpForward", null, [0], [], "forward"],
];
