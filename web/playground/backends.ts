// ---- backends: the probes' progress, the picker, the verify view's choices --------------------
import type { BackendStatus } from "coordnet/backends";
import { $, params, state } from "./dom.js";

/** One probe started: say which, and how far the list has come. */
export function probing(name: string, index: number, total: number): void {
  const bar = $<HTMLProgressElement>("probe-progress");
  bar.max = total;
  bar.value = index;
  bar.setAttribute("aria-valuetext", `${index} of ${total} backends probed`);
  $("probe-text").textContent = `probing ${name} (${index + 1} of ${total})…`;
}

/** Whether the user picked a backend (then the URL's and auto's choice no longer apply). */
let picked = false;

export function listBackendsUi(backends: BackendStatus[], onChange: () => void): void {
  $("probe").hidden = true;
  const ul = $("backends");
  ul.replaceChildren();
  // preselect what `auto` would choose: the first that runs here and is not passed over (a
  // software renderer's webgl2 or webgpu runs, at a small fraction of wasm's speed); the URL's
  // backend where it runs here
  const auto = (backends.find((b) => b.available && !b.reason) ?? backends.find((b) => b.available))?.name ?? "reference";
  const asked = params.get("backend");
  const fromUrl = backends.find((b) => b.available && b.name === asked)?.name;
  if (!picked) state.backend = fromUrl ?? auto;
  for (const id of ["verify-a", "verify-b"]) {
    const select = $<HTMLSelectElement>(id);
    select.replaceChildren(...backends.filter((b) => b.available).map((b) => new Option(b.name, b.name)));
  }
  $<HTMLSelectElement>("verify-a").value = "reference";
  const other = backends.find((b) => b.available && b.name !== "reference");
  if (other !== undefined) $<HTMLSelectElement>("verify-b").value = other.name;
  for (const b of backends) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "backend";
    input.value = b.name;
    input.disabled = !b.available;
    input.checked = b.name === state.backend;
    input.addEventListener("change", () => {
      picked = true;
      state.backend = b.name;
      onChange();
    });
    const why = document.createElement("span");
    why.className = "why";
    why.id = `why-${b.name}`;
    why.textContent = b.available ? `${b.device ?? "runs here"}${b.reason ? ` (${b.reason})` : ""}` : `unavailable: ${b.reason ?? "no reason given"}`;
    input.setAttribute("aria-describedby", why.id);
    label.append(input, ` ${b.name}${b.name === auto ? " (auto's choice)" : ""}`);
    li.append(label, why);
    ul.append(li);
  }
  onChange();
}
