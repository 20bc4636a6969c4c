// Draws web/stepper-diagram.ts's Diagram as SVG for the stepper page and updates it for the step on
// screen: edge colour by the weight's sign and width by its magnitude, the step's nodes and edges
// highlighted (web/stepper.css says how), each node and edge's values in its <title> (its
// accessible name, and the browser's tooltip) and, for the one hovered, focused or chosen, in the
// readout below the picture. The diagram is one tab stop; arrow keys move between its nodes and
// edges (focusGroups, moveFocus).
import { type Diagram, type DiagramNode, focusGroups, GEOMETRY, highlightOf, moveFocus, type Reading, readingsOf } from "./stepper-diagram.js";

const SVG = "http://www.w3.org/2000/svg";

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** What the page hands the diagram for one step. */
export interface StepView {
  /** every array after the step, by name (Step.arrays) */
  readonly arrays: Readonly<Record<string, readonly number[]>>;
  /** the arrays it wrote (Step.writes) */
  readonly writes: readonly string[];
}

/** The drawn diagram: call {@link DiagramView.show} for each step on screen. */
export class DiagramView {
  private readonly groups: string[][];
  private readonly items = new Map<string, SVGGElement>();
  private readonly lines = new Map<string, SVGLineElement>();
  /** every drawn node and edge, by id */
  private readonly drawn = new Map<string, SVGGElement>();
  private step: StepView | null = null;
  /** the node or edge whose values the readout shows */
  selected: string | null = null;

  /**
   * @param svg - emptied and drawn into
   * @param readout - shows the selected node's or edge's values
   * @param fmt - how numbers are printed (the tables' format)
   * @param onSelect - called when a node or edge becomes the selected one
   * @param onChoose - Enter, Space or a click on a node or edge (the page chooses it for the finite-difference check)
   */
  constructor(
    readonly svg: SVGSVGElement,
    readonly diagram: Diagram,
    private readonly readout: HTMLElement,
    private readonly fmt: (v: number) => string,
    private readonly onSelect: (id: string) => void,
    private readonly onChoose: (id: string) => void,
  ) {
    this.groups = focusGroups(diagram);
    this.draw();
  }

  private draw(): void {
    const d = this.diagram;
    const { radius, caption } = GEOMETRY;
    const svg = this.svg;
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${d.width} ${d.height}`);
    // the SVG is a group of focusable images, one per node and edge; the captions are decoration
    svg.setAttribute("role", "group");
    const byId = new Map(d.nodes.map((n) => [n.id, n]));
    const captions = el("g", { class: "captions", "aria-hidden": "true" });
    for (const c of d.columns) {
      const t = el("text", { x: c.x, y: caption - 6, "text-anchor": "middle" });
      t.textContent = c.text;
      captions.append(t);
    }
    const edges = el("g", { class: "edges" });
    for (const e of d.edges) {
      const a = byId.get(e.from) as DiagramNode;
      const b = byId.get(e.to) as DiagramNode;
      const g = el("g", { class: e.index < 0 ? "edge loss-link" : "edge", "data-id": e.id, "data-layer": e.layer });
      // a wide transparent line under the visible one: thin edges are still easy to hover
      const hit = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "hit" });
      const line = el("line", { x1: a.x + radius, y1: a.y, x2: b.x - radius, y2: b.y, class: "wire" });
      g.append(hit, line);
      this.lines.set(e.id, line);
      this.drawn.set(e.id, g);
      if (e.index >= 0) this.focusable(g, e.id);
      else g.setAttribute("aria-hidden", "true");
      edges.append(g);
    }
    const nodes = el("g", { class: "nodes" });
    for (const n of d.nodes) {
      const g = el("g", { class: n.id === "loss" ? "node loss" : n.layer === 0 ? "node input" : "node", "data-id": n.id, "data-layer": n.layer });
      g.append(el("circle", { cx: n.x, cy: n.y, r: radius }));
      if (n.label !== "") {
        const t = el("text", { x: n.x, y: n.y, "text-anchor": "middle", "dominant-baseline": "central", "aria-hidden": "true" });
        t.textContent = n.label;
        g.append(t);
      }
      this.focusable(g, n.id);
      this.drawn.set(n.id, g);
      nodes.append(g);
    }
    svg.append(captions, edges, nodes);
    this.setTabStop(this.selected ?? this.groups[0][0]);
    // a property, not addEventListener: a new view of the same <svg> (a new network) replaces the old handler
    svg.onkeydown = (ev) => this.key(ev);
  }

  private focusable(g: SVGGElement, id: string): void {
    g.setAttribute("role", "img");
    g.setAttribute("tabindex", "-1");
    g.append(el("title", {}));
    g.addEventListener("pointerenter", () => this.select(id));
    g.addEventListener("focus", () => this.select(id));
    g.addEventListener("click", () => {
      this.select(id);
      this.onChoose(id);
    });
    this.items.set(id, g);
  }

  private key(ev: KeyboardEvent): void {
    const id = (ev.target as Element).closest("[data-id]")?.getAttribute("data-id");
    if (id == null || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this.onChoose(id);
      return;
    }
    const to = moveFocus(this.groups, id, ev.key);
    if (to === undefined) return;
    ev.preventDefault();
    this.setTabStop(to);
    this.items.get(to)?.focus();
  }

  /** One tab stop: the selected node or edge (roving tabindex). */
  private setTabStop(id: string): void {
    for (const [k, g] of this.items) g.setAttribute("tabindex", k === id ? "0" : "-1");
  }

  /** Make `id` the node or edge the readout shows. */
  select(id: string): void {
    if (!this.items.has(id)) return;
    if (this.selected !== null) this.items.get(this.selected)?.classList.remove("selected");
    this.selected = id;
    this.items.get(id)?.classList.add("selected");
    this.setTabStop(id);
    this.showReadout();
    this.onSelect(id);
  }

  /** Show `step`: highlights, edge colours and widths, titles, the readout. */
  show(step: StepView): void {
    this.step = step;
    const d = this.diagram;
    const h = highlightOf(d, step.writes);
    this.svg.dataset.flow = h.flow;
    this.svg.classList.toggle("has-edges", h.edges.size > 0);
    // width by |w| against the largest |w| of the whole network, so layers compare
    let max = 0;
    for (const e of d.edges) if (e.index >= 0) max = Math.max(max, Math.abs(step.arrays[`W[${e.layer}]`][e.index]));
    for (const e of d.edges) {
      const g = this.drawn.get(e.id) as SVGGElement;
      g.classList.toggle("active", h.edges.has(e.id));
      if (e.index < 0) continue;
      const w = step.arrays[`W[${e.layer}]`][e.index];
      g.classList.toggle("negative", w < 0);
      g.classList.toggle("positive", w > 0);
      (this.lines.get(e.id) as SVGLineElement).setAttribute("stroke-width", (0.75 + (max > 0 ? (4.5 * Math.abs(w)) / max : 0)).toFixed(2));
    }
    for (const n of d.nodes) {
      const g = this.drawn.get(n.id) as SVGGElement;
      g.classList.toggle("active", h.nodes.has(n.id));
      g.classList.toggle("read", h.read.has(n.id));
    }
    for (const [id, g] of this.items) (g.querySelector("title") as unknown as SVGTitleElement).textContent = this.describe(id);
    this.showReadout();
  }

  /** The node's or edge's name and values, in one line (its <title>). */
  describe(id: string): string {
    const what = this.diagram.nodes.find((n) => n.id === id)?.name ?? this.diagram.edges.find((e) => e.id === id)?.name ?? id;
    const values = readingsOf(this.diagram, id).map((r) => `${r.array}${r.at} = ${this.values(r).map(this.fmt).join(", ")}`);
    return `${what}: ${values.join("; ")}`;
  }

  private values(r: Reading): number[] {
    const a = this.step?.arrays[r.array] ?? [];
    return r.indices.map((k) => a[k]);
  }

  /** The readout: one row per array entry, each number with the exact value behind it (data-value), as the tables' cells. */
  private showReadout(): void {
    const box = this.readout;
    const id = this.selected;
    if (id === null || this.step === null) return;
    box.replaceChildren();
    const head = document.createElement("p");
    head.className = "readout-name";
    head.textContent = this.diagram.nodes.find((n) => n.id === id)?.name ?? this.diagram.edges.find((e) => e.id === id)?.name ?? id;
    const list = document.createElement("dl");
    for (const r of readingsOf(this.diagram, id)) {
      const dt = document.createElement("dt");
      dt.textContent = `${r.array}${r.at}`;
      dt.title = r.what;
      const dd = document.createElement("dd");
      this.values(r).forEach((v, n) => {
        const span = document.createElement("span");
        span.className = "value";
        span.textContent = this.fmt(v);
        span.title = `${r.array}[${r.indices[n]}] = ${v}`;
        span.dataset.array = r.array;
        span.dataset.index = String(r.indices[n]);
        span.dataset.value = String(v);
        dd.append(span);
      });
      const note = document.createElement("span");
      note.className = "what";
      note.textContent = r.what;
      dd.append(note);
      list.append(dt, dd);
    }
    box.append(head, list);
    box.dataset.id = id;
  }
}
