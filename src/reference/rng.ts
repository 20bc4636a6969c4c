/**
 * The one seeded pseudo-random number generator behind every random choice in coordnet:
 * weight initialisation, Gaussian Fourier feature matrices and the per-epoch shuffle.
 *
 * Algorithm: **xoshiro128\*\*** (Blackman & Vigna, 2018), a 128-bit-state generator with 32-bit
 * outputs, seeded by expanding `(seed, stream)` with **SplitMix32**. It uses only 32-bit integer
 * operations (`Math.imul`, shifts), so the same seed gives the same numbers on every machine and
 * JavaScript engine. Different `stream` names give independent sequences from one seed, so adding
 * a draw in one place (say, the encoding) never shifts the numbers another place sees.
 *
 * @module
 */

/** SplitMix32 step: returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/** FNV-1a hash of a string to 32 bits (used to turn a stream name into a number). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The 128-bit internal state of an {@link Rng}: four unsigned 32-bit words.
 *
 * @group Randomness
 */
export type RngState = [number, number, number, number];

/**
 * A seeded xoshiro128** generator.
 *
 * @example
 * ```ts
 * const rng = new Rng(42, "init");
 * rng.uniform(-1, 1); // the same number on every machine
 * ```
 *
 * @group Randomness
 */
export class Rng {
  private s: Uint32Array;

  /**
   * @param seed - any integer (taken modulo 2^32)
   * @param stream - a name that selects an independent sequence for the same seed
   */
  constructor(seed: number, stream = "") {
    this.s = new Uint32Array(4);
    let sm = (seed ^ fnv1a(stream)) | 0;
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(sm);
      sm = next;
      this.s[i] = out;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // never all zero
  }

  /**
   * Build a generator that continues from a saved {@link RngState}.
   *
   * @example
   * ```ts
   * const a = new Rng(1);
   * const b = Rng.fromState(a.state());
   * a.nextUint32() === b.nextUint32(); // true
   * ```
   */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.s.set(state);
    return rng;
  }

  /**
   * The current state, to save and later resume with {@link Rng.fromState}.
   *
   * @example
   * ```ts
   * const saved = new Rng(7).state(); // four 32-bit words
   * ```
   */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /**
   * Next 32-bit unsigned integer (xoshiro128**).
   *
   * @example
   * ```ts
   * new Rng(1).nextUint32(); // an integer in [0, 2^32)
   * ```
   */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits (two 32-bit draws).
   *
   * @example
   * ```ts
   * const u = new Rng(3).next(); // 0 <= u < 1
   * ```
   */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform double in [low, high).
   *
   * @example
   * ```ts
   * new Rng(3).uniform(-0.5, 0.5);
   * ```
   */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /**
   * Standard normal sample N(0, 1) by the Box–Muller transform (one draw per call; the pair's
   * second value is discarded so that the state stays a plain function of the number of calls).
   *
   * @example
   * ```ts
   * const z = new Rng(5).normal();
   * ```
   */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Uniform integer in [0, n), without modulo bias (rejection sampling on 32-bit draws).
   *
   * @example
   * ```ts
   * new Rng(9).int(6); // a fair die, 0..5
   * ```
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`int(n) needs 1 <= n <= 2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n); // largest multiple of n that fits
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /**
   * Shuffle an array in place (Fisher–Yates, from the last element down).
   *
   * @example
   * ```ts
   * const order = Uint32Array.from({ length: 5 }, (_, i) => i);
   * new Rng(0, "shuffle").shuffle(order);
   * ```
   */
  shuffle<T extends Uint32Array | Int32Array | Float32Array | Float64Array | number[]>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
