import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/reference/rng.js";
import { epochOrder } from "../src/reference/shuffle.js";

describe("Rng (xoshiro128** seeded by SplitMix32)", () => {
  it("matches the published xoshiro128** algorithm from state [1, 2, 3, 4]", () => {
    // first outputs of Blackman & Vigna's reference C code from s = {1, 2, 3, 4}
    const rng = Rng.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("gives pinned values for a pinned seed: the same numbers on every machine", () => {
    // If these change, every saved seed gives different weights: that is a breaking change.
    const rng = new Rng(42, "init");
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([1722571959, 3015652864, 1737255875]);
  });

  it("separates streams and seeds", () => {
    expect(new Rng(1, "a").nextUint32()).not.toBe(new Rng(1, "b").nextUint32());
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it("resumes exactly from a saved state", () => {
    const a = new Rng(9, "shuffle");
    for (let i = 0; i < 10; i++) a.next();
    const b = Rng.fromState(a.state());
    for (let i = 0; i < 100; i++) expect(b.nextUint32()).toBe(a.nextUint32());
  });

  it("draws uniform values in [low, high) and integers in [0, n)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const u = rng.uniform(-2, 3);
          expect(u).toBeGreaterThanOrEqual(-2);
          expect(u).toBeLessThan(3);
          const k = rng.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it("has the right first two moments for uniform and normal draws", () => {
    const rng = new Rng(3);
    const N = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < N; i++) {
      su += rng.next();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
    }
    // standard errors: uniform mean 0.29/√N ≈ 6.5e-4, normal mean 1/√N ≈ 2.2e-3, variance √2/√N ≈ 3.2e-3; bounds are 5 SE
    expect(Math.abs(su / N - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(sn / N)).toBeLessThan(1.1e-2);
    expect(Math.abs(sn2 / N - 1)).toBeLessThan(1.6e-2);
  });

  it("epochOrder is a permutation, different each epoch, reproducible from the seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer(), (count, seed) => {
        const rng = new Rng(seed, "shuffle");
        const a = epochOrder(count, rng);
        const sorted = Array.from(a).sort((x, y) => x - y);
        expect(sorted).toEqual(Array.from({ length: count }, (_, i) => i));
        const again = epochOrder(count, new Rng(seed, "shuffle"));
        expect(Array.from(again)).toEqual(Array.from(a));
      }),
    );
    const rng = new Rng(0, "shuffle");
    expect(Array.from(epochOrder(50, rng))).not.toEqual(Array.from(epochOrder(50, rng)));
  });
});
