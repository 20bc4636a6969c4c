// biome-ignore-all lint/correctness/noPrecisionLoss: fdlibm publishes its coefficients with 21 digits; they round to the intended doubles, and keeping them as published makes them checkable.
/**
 * @module
 * The error function, which JavaScript's `Math` lacks. Exact GELU needs it.
 *
 * This follows the rational approximations of fdlibm's `s_erf.c` (Sun Microsystems, 1993:
 * "Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved."), accurate
 * to about one unit in the last place of a double. One simplification: for |x| ≥ 1.25 the
 * exponent is computed as `exp(−x² − 0.5625 + R/S)` directly, without fdlibm's split of x into
 * high and low words; that costs at most a few units in the last place.
 */

/**
 * erf(x) = 2/√π ∫₀ˣ exp(−t²) dt.
 *
 * The polynomial coefficients live inside the body (not in module constants) so that the
 * function can be handed to GPU kernels as self-contained source; and the file is also valid
 * AssemblyScript (where `number` is f64), which compiles this same function into the wasm
 * backend's GELU kernel — one erf for every backend.
 *
 * @example
 * ```ts
 * erf(1); // 0.8427007929497149
 * ```
 *
 * @group Activations
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  const sign: number = x < 0 ? -1 : 1;
  if (ax < 0.84375) {
    // erf(x) = x + x·R(x²)/S(x²) on |x| < 0.84375
    const z = x * x;
    const r =
      0.128379167095512558561 +
      z * (-0.32504210724700149937 + z * (-0.0284817495755985104766 + z * (-0.00577027029648944159157 + z * -0.0000237630166566501626084)));
    const s =
      1 +
      z *
        (0.397917223959155352819 +
          z * (0.0650222499887672944485 + z * (0.00508130628187576562776 + z * (0.000132494738004321644526 + z * -0.0000039602282787753681232))));
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    // erf(x) = erx + P(s)/Q(s) with s = |x| − 1 on 0.84375 ≤ |x| < 1.25
    const s = ax - 1;
    const p =
      -0.00236211856075265944077 +
      s *
        (0.414856118683748331666 +
          s *
            (-0.372207876035701323847 +
              s * (0.318346619901161753674 + s * (-0.110894694282396677476 + s * (0.0354783043256182359371 + s * -0.002166375594868790843)))));
    const q =
      1 +
      s *
        (0.106420880400844228286 +
          s *
            (0.540397917702171048937 +
              s * (0.0718286544141962662868 + s * (0.126171219808761642112 + s * (0.0136370839120290507362 + s * 0.011984499846799107417)))));
    return sign * (0.845062911510467529297 + p / q);
  }
  if (ax >= 6) return sign; // erf(6) = 1 − 2e−17: 1 in double precision
  // erf(x) = 1 − exp(−x² − 0.5625 + R(1/x²)/S(1/x²)) / |x| on 1.25 ≤ |x| < 6
  const t = 1 / (ax * ax);
  // initialised, and typed for AssemblyScript (a bare 0 would be an integer there); GPU kernel
  // translators need a value to infer the type from
  let r: number = 0;
  let s: number = 1;
  if (ax < 2.857142857142857) {
    r =
      -0.00986494403484714822705 +
      t *
        (-0.693858572707181764372 +
          t *
            (-10.5586262253232909814 +
              t *
                (-62.3753324503260060396 +
                  t * (-162.396669462573470355 + t * (-184.605092906711035994 + t * (-81.2874355063065934246 + t * -9.81432934416914548592))))));
    s =
      1 +
      t *
        (19.6512716674392571292 +
          t *
            (137.6577541435190426 +
              t *
                (434.565877475229228821 +
                  t *
                    (645.387271733267880336 +
                      t * (429.008140027567833386 + t * (108.635005541779435134 + t * (6.57024977031928170135 + t * -0.0604244152148580987438)))))));
  } else {
    r =
      -0.00986494292470009928597 +
      t *
        (-0.799283237680523006574 +
          t *
            (-17.7579549177547519889 +
              t * (-160.636384855821916062 + t * (-637.566443368389627722 + t * (-1025.09513161107724954 + t * -483.519191608651397019)))));
    s =
      1 +
      t *
        (30.3380607434824582924 +
          t *
            (325.792512996573918826 +
              t *
                (1536.72958608443695994 +
                  t * (3199.85821950859553908 + t * (2553.05040643316442583 + t * (474.528541206955367215 + t * -22.4409524465858183362))))));
  }
  const e = Math.exp(-ax * ax - 0.5625 + r / s) / ax;
  return sign * (1 - e);
}
