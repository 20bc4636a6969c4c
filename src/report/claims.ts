/**
 * @module
 * The study's published figures and its claims, each judged against this run's seed spread.
 */

import { type PresetStats, type Spread, separation } from "./statistics.js";

/**
 * The study's published final MSE (512×512, 200 epochs, one seed, on its own photograph), one per
 * figure of its text (Figs. 2–6 and 8, transcribed in `shared/study/README.md`). Inputs in [−1, 1]
 * (`relu-range11`) have no figure there, so that row stays blank.
 */
export const STUDY_MSE: Readonly<Record<string, number>> = {
  "relu-sigmoid": 0.00403014,
  "relu-linear": 0.003259,
  gelu: 0.0026303,
  elu: 0.00400449,
  tanh: 0.00426288,
  positional: 0.00091497,
};

/** One of the study's claims and whether this run supports it beyond the seed spread. */
export interface ClaimVerdict {
  /** the claim, in the study's words as issue 12 lists them */
  readonly claim: string;
  /** `supported`, `contradicted`, `not shown` (spreads overlap or one seed), or `not run` */
  readonly verdict: "supported" | "contradicted" | "not shown" | "not run";
  /** the figures behind the verdict */
  readonly detail: string;
}

const PLAIN = ["relu-sigmoid", "relu-linear", "relu-range11", "gelu", "elu", "tanh"];
const f5 = (v: number) => v.toFixed(5);
const msd = (s: Spread) => (s.sd === null ? f5(s.mean) : `${f5(s.mean)} ± ${f5(s.sd)}`);

/**
 * The study's four claims, each judged on mean ± sd of the full-image MSE over the seeds: a
 * difference counts only where the two intervals do not overlap.
 *
 * @example
 * ```ts
 * for (const c of judgeClaims(presetStats(rows))) console.log(`${c.claim}: ${c.verdict}`);
 * ```
 */
export function judgeClaims(stats: readonly PresetStats[]): ClaimVerdict[] {
  const by = new Map(stats.map((s) => [s.name, s]));
  const mse = (name: string) => by.get(name)?.mse ?? null;
  const oneSeed = "one seed: no spread to judge by";
  const out: ClaimVerdict[] = [];

  {
    const claim = "Sigmoid costs a little (relu-sigmoid vs relu-linear)";
    const a = mse("relu-sigmoid");
    const b = mse("relu-linear");
    if (!a || !b) out.push({ claim, verdict: "not run", detail: "needs relu-sigmoid and relu-linear" });
    else {
      const sep = separation(a, b);
      const detail = `MSE ${msd(a)} with sigmoid, ${msd(b)} without (×${(a.mean / b.mean).toFixed(2)})`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "higher") out.push({ claim, verdict: "supported", detail: `${detail}: higher beyond the seed spread` });
      else if (sep === "lower") out.push({ claim, verdict: "contradicted", detail: `${detail}: the sigmoid is better beyond the seed spread` });
      else out.push({ claim, verdict: "not shown", detail: `${detail}: the spreads overlap` });
    }
  }
  {
    const claim = "The input range makes little difference (relu-sigmoid [0,1] vs relu-range11 [−1,1]; “little” read as under 10% in MSE)";
    const a = mse("relu-sigmoid");
    const b = mse("relu-range11");
    if (!a || !b) out.push({ claim, verdict: "not run", detail: "needs relu-sigmoid and relu-range11" });
    else {
      const sep = separation(a, b);
      const detail = `MSE ${msd(a)} on [0,1], ${msd(b)} on [−1,1] (×${(b.mean / a.mean).toFixed(2)})`;
      const small = Math.abs(b.mean / a.mean - 1) < 0.1;
      const which = `[−1,1] is ${sep === "lower" ? "worse" : "better"} beyond the seed spread`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "overlap") out.push({ claim, verdict: "supported", detail: `${detail}: the difference is within the seed spread` });
      else if (small) out.push({ claim, verdict: "supported", detail: `${detail}: ${which}, but by under 10% (“little” read as that)` });
      else out.push({ claim, verdict: "contradicted", detail: `${detail}: ${which}, by 10% or more` });
    }
  }
  {
    const claim = "GELU is the best plain activation (gelu vs the other plain presets)";
    const plain = PLAIN.flatMap((n) => (mse(n) ? [[n, mse(n) as Spread] as const] : []));
    const g = mse("gelu");
    if (!g || plain.length < 2) out.push({ claim, verdict: "not run", detail: "needs gelu and another plain preset" });
    else {
      const others = plain.filter(([n]) => n !== "gelu");
      const seps = others.map(([n, s]) => [n, separation(g, s)] as const);
      const lowest = plain.reduce((a, b) => (b[1].mean < a[1].mean ? b : a));
      const detail = `GELU MSE ${msd(g)}; lowest mean: ${lowest[0]} (${msd(lowest[1])})`;
      const beats = seps.filter(([, v]) => v === "higher").map(([n]) => n);
      if (seps.some(([, v]) => v === null)) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (beats.length > 0) out.push({ claim, verdict: "contradicted", detail: `${detail}: ${beats.join(", ")} better beyond the seed spread` });
      else if (seps.every(([, v]) => v === "lower"))
        out.push({ claim, verdict: "supported", detail: `${detail}: GELU is lower than every other beyond the seed spread` });
      else {
        const ties = seps.filter(([, v]) => v === "overlap").map(([n]) => n);
        out.push({ claim, verdict: "not shown", detail: `${detail}: GELU's spread overlaps ${ties.join(", ")}` });
      }
    }
  }
  {
    const claim = "Positional encoding is several times better (positional vs the best plain preset; “several” read as at least 2× lower MSE)";
    const p = mse("positional");
    const plain = PLAIN.flatMap((n) => (mse(n) ? [[n, mse(n) as Spread] as const] : []));
    if (!p || plain.length === 0) out.push({ claim, verdict: "not run", detail: "needs positional and a plain preset" });
    else {
      const [bestName, best] = plain.reduce((a, b) => (b[1].mean < a[1].mean ? b : a));
      const ratio = best.mean / p.mean;
      const sep = separation(p, best);
      const detail = `positional MSE ${msd(p)}, best plain ${bestName} ${msd(best)}: ${ratio.toFixed(2)}× lower`;
      if (sep === null) out.push({ claim, verdict: "not shown", detail: `${detail}; ${oneSeed}` });
      else if (sep === "lower" && ratio >= 2) out.push({ claim, verdict: "supported", detail: `${detail}, beyond the seed spread` });
      else if (sep === "lower") out.push({ claim, verdict: "not shown", detail: `${detail}: better beyond the seed spread, but less than 2×` });
      else if (sep === "higher") out.push({ claim, verdict: "contradicted", detail: `${detail}: worse beyond the seed spread` });
      else out.push({ claim, verdict: "not shown", detail: `${detail}: the spreads overlap` });
    }
  }
  return out;
}
