/**
 * @module
 * JSON as it enters coordnet (config files, safetensors headers and their metadata, comparison
 * files, run records): its nesting measured on the text, before `JSON.parse` builds anything, so
 * that no recursive walk after it (`structuredClone`, `JSON.stringify`, a schema) can overflow the
 * stack. Browser-safe.
 */

import { MAX_JSON_DEPTH } from "./config.js";

/**
 * How deeply the JSON `text` nests arrays and objects (0 for a number or a string), measured on
 * the text in one pass — brackets inside strings, escaped quotes included, do not count. Stops
 * counting once past `limit`; the text need not be valid JSON.
 *
 * @example
 * ```ts
 * jsonDepth('{"a": [1, "]]"]}'); // 2
 * ```
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // a backslash escapes the next character
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * `JSON.parse`, refusing text that nests arrays or objects more than {@link MAX_JSON_DEPTH}
 * levels deep. `fail` makes the error (the caller's own class and wording) from the reason.
 *
 * @throws whatever `fail` returns, for text that is not JSON or nests too deeply
 *
 * @example
 * ```ts
 * const value = parseJson(text, (reason) => new UsageError(`config ${path} ${reason}`));
 * ```
 */
export function parseJson(text: string, fail: (reason: string) => Error): unknown {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw fail(`is nested more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail(`is not valid JSON (${(e as Error).message})`);
  }
}
