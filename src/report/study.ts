/**
 * @module
 * The study's four claims judged against the study's own published figures (its figures 2–6 and
 * 8: one run each at 512×512, 200 epochs, on its own photograph), beside the report's verdicts on
 * coordnet's runs. One run per preset has no spread, so a claim is read off the values alone:
 * whether the study's numbers show what its text says, with the same thresholds the report uses
 * (“little” under 10% in MSE, “several times” at least 2×).
 */

/** The study's figures' verdict on one claim. */
export interface StudyVerdict {
  /** the presets the claim compares, as the report's claim names them (e.g. `relu-sigmoid vs relu-linear`) */
  readonly about: string;
  /** `supported` or `contradicted` by the published figures, or `no figure` where the study published none */
  readonly verdict: "supported" | "contradicted" | "no figure";
  /** the figures behind it */
  readonly detail: string;
}

const PLAIN = ["relu-sigmoid", "relu-linear", "relu-range11", "gelu", "elu", "tanh"];
const f5 = (v: number) => v.toFixed(5);

/**
 * The four claims, in the report's order (sigmoid, input range, GELU, positional encoding), each
 * judged on the study's published MSE per preset.
 *
 * @example
 * ```ts
 * studyVerdicts({ "relu-sigmoid": 0.00403, "relu-linear": 0.00326 })[0].verdict; // "supported"
 * ```
 */
export function studyVerdicts(figures: Readonly<Record<string, number>>): StudyVerdict[] {
  const at = (name: string): number | undefined => figures[name];
  const out: StudyVerdict[] = [];
  {
    const about = "relu-sigmoid vs relu-linear";
    const [a, b] = [at("relu-sigmoid"), at("relu-linear")];
    if (a === undefined || b === undefined) out.push({ about, verdict: "no figure", detail: "the study published no figure for one of them" });
    else
      out.push({
        about,
        verdict: a > b ? "supported" : "contradicted",
        detail: `MSE ${f5(a)} with sigmoid, ${f5(b)} without (×${(a / b).toFixed(2)})`,
      });
  }
  {
    const about = "relu-sigmoid [0,1] vs relu-range11 [−1,1]";
    const [a, b] = [at("relu-sigmoid"), at("relu-range11")];
    if (a === undefined || b === undefined)
      out.push({ about, verdict: "no figure", detail: "the study shows no figure for inputs in [−1, 1]; its text only says so" });
    else
      out.push({
        about,
        verdict: Math.abs(b / a - 1) < 0.1 ? "supported" : "contradicted",
        detail: `MSE ${f5(a)} on [0,1], ${f5(b)} on [−1,1] (×${(b / a).toFixed(2)})`,
      });
  }
  const plain = PLAIN.flatMap((n) => (at(n) === undefined ? [] : [[n, at(n) as number] as const]));
  {
    const about = "gelu vs the other plain presets";
    const g = at("gelu");
    if (g === undefined || plain.length < 2) out.push({ about, verdict: "no figure", detail: "needs gelu and another plain preset" });
    else {
      const [lowName, low] = plain.reduce((a, b) => (b[1] < a[1] ? b : a));
      out.push({
        about,
        verdict: lowName === "gelu" ? "supported" : "contradicted",
        detail: `GELU ${f5(g)}; lowest plain: ${lowName} (${f5(low)}) of ${plain.map(([n]) => n).join(", ")}`,
      });
    }
  }
  {
    const about = "positional vs the best plain preset";
    const p = at("positional");
    if (p === undefined || plain.length === 0) out.push({ about, verdict: "no figure", detail: "needs positional and a plain preset" });
    else {
      const [bestName, best] = plain.reduce((a, b) => (b[1] < a[1] ? b : a));
      const ratio = best / p;
      out.push({
        about,
        verdict: ratio >= 2 ? "supported" : "contradicted",
        detail: `positional ${f5(p)}, best plain ${bestName} ${f5(best)}: ${ratio.toFixed(2)}× lower`,
      });
    }
  }
  return out;
}
