/**
 * @module
 * The errors coordnet throws at its public boundary. Each is one readable line; `exitCode` is what
 * the command line exits with when it meets one (2: the input was wrong; 1: the work failed).
 */

/**
 * The base of every error coordnet throws on purpose: a message of one line a user can act on.
 * Catch this to tell coordnet's own errors from bugs.
 *
 * @example
 * ```ts
 * try { await fit(image, { activation: "Relu" }); } catch (e) { if (e instanceof CoordnetError) console.error(e.message); }
 * ```
 */
export class CoordnetError extends Error {
  /** the command line's exit code for this error: 2 for bad input, 1 for a failure while working */
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An argument of a library call is of the wrong type or out of range (e.g. `width: -3`, an image
 * whose `data` is too short).
 *
 * @example
 * ```ts
 * throw new InvalidArgumentError("image.data has 12 values, expected 16 (2×2 RGBA)");
 * ```
 */
export class InvalidArgumentError extends CoordnetError {}
