/**
 * @module
 * "Did you mean …?" for a misspelt name: the closest of the choices by edit distance
 * (fastest-levenshtein: a small, dependency-free and widely used implementation of the Myers
 * bit-parallel algorithm), case ignored. Browser-safe.
 */

import { distance } from "fastest-levenshtein";

/**
 * The choice `value` most likely meant, or null when none is close: the same name in another case,
 * else the nearest by edit distance: at most 1 edit for names under 4 letters, 2 from 4 letters (a
 * swap of two letters counts 2), 3 from 9 — `gelo` → `gelu`, `Relu` → `relu`, `wsam` → `wasm`,
 * but nothing for `cuda`.
 *
 * @example
 * ```ts
 * suggestion("gausian", ["none", "positional", "gaussian"]); // "gaussian"
 * ```
 */
export function suggestion(value: string, choices: readonly string[]): string | null {
  const lower = value.toLowerCase();
  const same = choices.find((c) => c.toLowerCase() === lower);
  if (same !== undefined) return same;
  let best: string | null = null;
  // two edits for a name of 4 letters or more (a swap of two letters is two), a third from 9 letters
  let bestDistance = value.length < 4 ? 1 : Math.min(3, Math.max(2, Math.floor(value.length / 3)));
  for (const c of choices) {
    const d = distance(lower, c.toLowerCase());
    if (d <= bestDistance && (best === null || d < bestDistance)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * ` (did you mean 'x'?)` for a misspelt `value`, or the empty string: what messages put after the
 * name they refuse.
 *
 * @example
 * ```ts
 * `unknown preset 'gelo'${didYouMean("gelo", presetNames())}`; // "unknown preset 'gelo' (did you mean 'gelu'?)"
 * ```
 */
export function didYouMean(value: unknown, choices: readonly string[]): string {
  if (typeof value !== "string" || value.length > 100) return "";
  const s = suggestion(value, choices);
  return s === null || s === value ? "" : ` (did you mean '${s}'?)`;
}
