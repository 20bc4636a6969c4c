// ---- the verify view: compareBackends in the page ---------------------------------------------
import type { CompareSummary } from "../protocol.js";
import { $, field, send } from "./dom.js";

export function showComparison(c: CompareSummary): void {
  $("verify-status").textContent =
    `${c.b} against ${c.a}: ${c.pass ? "PASS" : "FAIL"} (${c.spec.inputs} → ${c.spec.depth}×${c.spec.width} ${c.spec.activation} → ${c.spec.outputs} ${c.spec.outputActivation}, batch ${c.batch}, ${c.steps} steps, seed ${c.seed}, tolerance ×${c.factor}, ${c.seconds.toFixed(1)} s)`;
  const table = $<HTMLTableElement>("verify-table");
  const row = (cells: string[], tag: "td" | "th", cls?: string) => {
    const tr = document.createElement("tr");
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      if (tag === "th") cell.scope = "col";
      tr.append(cell);
    }
    if (cls !== undefined) (tr.lastElementChild as HTMLElement).className = cls;
    return tr;
  };
  table.replaceChildren(row(["tensor", "entries", "max |b − a|", "max rel", "worst / bound", "result"], "th"));
  for (const t of c.tensors)
    table.append(
      row(
        [t.name, String(t.size), t.maxAbs.toExponential(2), t.maxRel.toExponential(2), t.worstRatio.toFixed(3), t.pass ? "pass" : "FAIL"],
        "td",
        t.pass ? "pass" : "fail",
      ),
    );
}

export function wireVerify(): void {
  $("verify-run").addEventListener("click", () => {
    const a = $<HTMLSelectElement>("verify-a").value;
    const b = $<HTMLSelectElement>("verify-b").value;
    $("verify-status").textContent = `comparing ${b} against ${a}…`;
    send({ type: "compare", a, b, batch: Number(field("verify-batch").value), steps: Number(field("verify-steps").value) });
  });
}
