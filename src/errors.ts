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
    // one line of at most MAX_MESSAGE_LENGTH characters, whatever the caller quoted into it
    super(oneLine(String(message)));
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

/**
 * The longest message a {@link CoordnetError} carries, in characters: room for a sentence that
 * names a file, a field and a value, short enough that a hostile input (a 5 MB string, three
 * million unknown keys) can never turn into a 5 MB line on stderr.
 */
export const MAX_MESSAGE_LENGTH = 400;

/**
 * A message made safe to print as one line: every line break (and other control character) a
 * space, and anything past `max` characters cut, ending in "…".
 *
 * @example
 * ```ts
 * oneLine("a\nb"); // "a b"
 * oneLine("x".repeat(1000), 10); // "xxxxxxxxx…"
 * ```
 */
export function oneLine(text: string, max = MAX_MESSAGE_LENGTH): string {
  // control characters would break the line (or a terminal): each run of them becomes a space
  const flat = text.length > 4 * max ? text.slice(0, 4 * max) : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what is removed here
  const clean = flat.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * A value as a message quotes it: JSON where it has a JSON form (strings quoted, `Infinity`,
 * `NaN`, `undefined` and bigints as themselves, functions and symbols by kind), cut to `max`
 * characters with "…", so no value given to coordnet can make its message long.
 *
 * @example
 * ```ts
 * quote("Relu"); // "\"Relu\""
 * quote(Number.POSITIVE_INFINITY); // "Infinity"
 * quote("x".repeat(10_000)); // "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
 * ```
 */
export function quote(value: unknown, max = 60): string {
  let text: string;
  if (value === undefined) text = "undefined";
  // NaN, Infinity, -0 as themselves (JSON says null)
  else if (typeof value === "number") text = String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = `a function${value.name ? ` (${value.name})` : ""}`;
  else if (typeof value === "symbol") text = "a symbol";
  else if (typeof value === "string") text = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  else {
    try {
      if (ArrayBuffer.isView(value)) text = `a ${value.constructor.name} of ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength} values`;
      else if (Array.isArray(value) && value.length > 16) text = `an array of ${value.length} values`;
      else if (value !== null && typeof value === "object" && Object.keys(value).length > 16) text = `an object with ${Object.keys(value).length} keys`;
      else text = JSON.stringify(value) ?? String(value);
    } catch {
      // a cycle, a bigint inside, a hostile toJSON, a Proxy whose traps throw: say what kind of thing it is
      text = Array.isArray(value) ? "an array" : "an object";
    }
  }
  return oneLine(text, max);
}

/**
 * The text of whatever was thrown, without trusting it: its `message` may itself be a getter that
 * throws (a hostile argument's getter or Proxy trap threw it).
 *
 * @example
 * ```ts
 * thrownText(new Error("boom")); // "boom"
 * ```
 */
export function thrownText(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : quote(e);
  } catch {
    return "an error that cannot be read";
  }
}

/**
 * Run the checks `read` makes on a caller's argument; a getter or Proxy trap that throws while
 * they read it becomes an {@link InvalidArgumentError} `fn: what could not be read: …`.
 *
 * @example
 * ```ts
 * readingArgument("imageInputs", "encoder", () => checkEncoder(encoder));
 * ```
 */
export function readingArgument<T>(fn: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof CoordnetError) throw e;
    throw new InvalidArgumentError(`${fn}: ${what} could not be read: ${thrownText(e)}`);
  }
}

/**
 * A model or checkpoint that cannot be used (one readable line).
 *
 * @example
 * ```ts
 * try { loadModel(path); } catch (e) { if (e instanceof ModelFileError) console.error(e.message); }
 * ```
 */
export class ModelFileError extends CoordnetError {
  constructor(message: string) {
    super(message);
    this.name = "ModelFileError";
  }
}
