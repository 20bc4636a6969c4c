import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  activationBackward,
  activationForward,
  erf,
  relu,
  reluGrad,
  SIREN_OMEGA0,
  sine,
  sineGrad,
} from "../src/reference/activations/index.js";

// Central differences in float64 with h = 1e-6: truncation error ≈ h²·|f'''|/6 (≤ 5e-9 even for
// sine, whose f''' is ω₀³ = 27000) and rounding error ≈ ε·|f|/h ≈ 1e-9; 1e-7 + 1e-7·|f'| covers both
// with room, and is still millions of times smaller than any real mistake in a derivative.
const H = 1e-6;
const ATOL = 1e-7;
const RTOL = 1e-7;
const KINK = 1e-4; // ReLU and ELU points closer than this to z = 0 are filtered, not tolerated

describe("activation derivatives equal central finite differences (float64)", () => {
  for (const name of ACTIVATION_NAMES) {
    it(name, () => {
      const { f, grad } = ACTIVATIONS[name];
      fc.assert(
        fc.property(fc.double({ min: -4, max: 4, noNaN: true }), (z) => {
          if ((name === "relu" || name === "elu") && Math.abs(z) < KINK) return; // not differentiable there / second derivative jumps
          const fd = (f(z + H) - f(z - H)) / (2 * H);
          const g = grad(z);
          if (!(Math.abs(g - fd) <= ATOL + RTOL * Math.abs(fd))) throw new Error(`${name}'(${z}) = ${g}, finite difference ${fd}`);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("activation values", () => {
  it("match their definitions at known points", () => {
    expect(relu(-1)).toBe(0);
    expect(reluGrad(0)).toBe(0); // PyTorch's choice at the kink
    expect(ACTIVATIONS.sigmoid.f(0)).toBe(0.5);
    expect(ACTIVATIONS.elu.f(-1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(ACTIVATIONS.gelu.f(1)).toBeCloseTo(0.8413447460685429, 15); // Φ(1)
    expect(ACTIVATIONS.gelu.f(-3)).toBeCloseTo(-3 * 0.0013498980316301, 14);
    expect(ACTIVATIONS.identity.f(2.5)).toBe(2.5);
  });

  it("erf matches high-precision values to 1e-15", () => {
    // reference values from Python's math.erf (correctly rounded libm)
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [0.9, 0.7969082124228322],
      [1, 0.8427007929497149],
      [1.2, 0.9103139782296353],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [5.5, 0.9999999999999927],
      [-1.3, -0.9340079449406524],
    ];
    for (const [x, e] of table) expect(Math.abs(erf(x) - e)).toBeLessThan(1e-15);
  });

  it("erf' = 2/√π·exp(−x²) (finite differences across all branches of the approximation)", () => {
    fc.assert(
      fc.property(fc.double({ min: -7, max: 7, noNaN: true }), (x) => {
        const fd = (erf(x + H) - erf(x - H)) / (2 * H);
        const exact = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
        expect(Math.abs(fd - exact)).toBeLessThan(1e-8);
      }),
      { numRuns: 500 },
    );
  });

  it("sine's ω₀ written in its body equals SIREN_OMEGA0", () => {
    expect(sine(0.01)).toBe(Math.sin(SIREN_OMEGA0 * 0.01));
    expect(sineGrad(0.01)).toBe(SIREN_OMEGA0 * Math.cos(SIREN_OMEGA0 * 0.01));
  });

  it("array forward and backward apply f and the chain rule element-wise", () => {
    const z = Float64Array.of(-1, 0.5, 2);
    const a = new Float64Array(3);
    activationForward("tanh", z, a, 3);
    expect(Array.from(a)).toEqual(Array.from(z, Math.tanh));
    const da = Float64Array.of(0.3, -2, 5);
    const dz = new Float64Array(3);
    activationBackward("tanh", z, da, dz, 3);
    expect(Array.from(dz)).toEqual(Array.from(z, (v, i) => da[i] * (1 - Math.tanh(v) ** 2)));
  });
});
