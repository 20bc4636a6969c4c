// The picture of the stepper's network (web/stepper.html draws it as SVG above the arrays, with
// web/stepper-svg.ts): one node per unit of every a[l] — the inputs x and y, each hidden unit, the
// output ŷ — and one for the loss, one edge per weight W[l][j][i], laid out left to right.
//
// Which nodes and edges a step lights up is read from the arrays the step wrote (Step.writes), so
// the picture cannot claim a call touched what it did not: a call that wrote z[l] computed layer
// l (its edges W[l] and the units of a[l + 1]), one that wrote dW[l] sent the gradient back through
// W[l], one that wrote W[l] updated it. What a node or edge shows on hover is a list of array
// entries (name and flat index, as the tables' cells): the page prints the very numbers the tables
// hold. Pure data, no DOM: test/stepper-diagram.test.ts checks it in Node.

/** A unit of a[l] (or the loss), placed in the SVG's user units. */
export interface DiagramNode {
  /** `n{l}-{j}` for unit j of a[l]; `loss` for the loss */
  readonly id: string;
  /** l of a[l]; L + 1 for the loss */
  readonly layer: number;
  readonly unit: number;
  readonly x: number;
  readonly y: number;
  /** the text in the circle: x, y, ŷ or L (hidden units have none) */
  readonly label: string;
  /** what the node is, in words: "input x", "unit 2 of a[1]", "output ŷ", "loss L" */
  readonly name: string;
}

/** A weight W[layer][to][from], or the link from ŷ to the loss. */
export interface DiagramEdge {
  /** `e{l}-{j}-{i}` for W[l][j][i]; `e-loss` for ŷ → L */
  readonly id: string;
  /** l of W[l]; L for the loss link */
  readonly layer: number;
  /** node ids */
  readonly from: string;
  readonly to: string;
  /** index into W[layer], row-major [outputs][inputs]: to·inputs + from; −1 for the loss link */
  readonly index: number;
  /** what the edge is, in words */
  readonly name: string;
}

/** The whole picture of one network. */
export interface Diagram {
  /** width and height of the SVG's viewBox */
  readonly width: number;
  readonly height: number;
  /** units per a[l], l = 0 … L (layerSizes) */
  readonly sizes: readonly number[];
  /** rows of the batch */
  readonly batch: number;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  /** one caption per column of nodes: a[0], a[1], …, a[L] = ŷ, loss */
  readonly columns: readonly { readonly x: number; readonly text: string }[];
}

/** Spacing, in SVG user units: between columns, between units of a column, the node radius, the margin. */
export const GEOMETRY = { column: 108, row: 42, radius: 14, margin: 24, caption: 22 } as const;

/** The diagram of a network with a[l] of `sizes[l]` units (layerSizes of its spec), on a batch of `batch` rows. */
export function diagramOf(sizes: readonly number[], batch: number): Diagram {
  const { column, row, radius, margin, caption } = GEOMETRY;
  const L = sizes.length - 1;
  const tallest = Math.max(...sizes);
  const width = 2 * (margin + radius) + (L + 1) * column;
  const height = caption + 2 * margin + (tallest - 1) * row + 2 * radius;
  const mid = caption + margin + radius + ((tallest - 1) * row) / 2;
  const xOf = (c: number) => margin + radius + c * column;
  const yOf = (j: number, n: number) => mid + (j - (n - 1) / 2) * row;
  const nodes: DiagramNode[] = [];
  for (let l = 0; l <= L; l++)
    for (let j = 0; j < sizes[l]; j++) {
      const input = l === 0;
      const output = l === L;
      const label = input ? (sizes[0] === 2 ? ["x", "y"][j] : `x${j}`) : output ? (sizes[L] === 1 ? "ŷ" : `ŷ${j}`) : "";
      const name = input ? `input ${label}` : output ? `output ${label}` : `unit ${j} of a[${l}]`;
      nodes.push({ id: `n${l}-${j}`, layer: l, unit: j, x: xOf(l), y: yOf(j, sizes[l]), label, name });
    }
  nodes.push({ id: "loss", layer: L + 1, unit: 0, x: xOf(L + 1), y: mid, label: "L", name: "loss L" });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: DiagramEdge[] = [];
  for (let l = 0; l < L; l++)
    for (let j = 0; j < sizes[l + 1]; j++)
      for (let i = 0; i < sizes[l]; i++) {
        const from = `n${l}-${i}`;
        const to = `n${l + 1}-${j}`;
        const name = `weight W[${l}] row ${j}, column ${i}: ${byId.get(from)?.name} → ${byId.get(to)?.name}`;
        edges.push({ id: `e${l}-${j}-${i}`, layer: l, from, to, index: j * sizes[l] + i, name });
      }
  for (let j = 0; j < sizes[L]; j++)
    edges.push({ id: sizes[L] === 1 ? "e-loss" : `e-loss-${j}`, layer: L, from: `n${L}-${j}`, to: "loss", index: -1, name: "ŷ into the loss" });
  const columns = sizes.map((_, l) => ({ x: xOf(l), text: l === L ? `a[${L}] = ŷ` : `a[${l}]` }));
  columns.push({ x: xOf(L + 1), text: "loss" });
  return { width, height, sizes, batch, nodes, edges, columns };
}

/** What a step lights up: the nodes and edges whose values it computed, and the nodes it read. */
export interface Highlight {
  readonly nodes: ReadonlySet<string>;
  readonly edges: ReadonlySet<string>;
  /** nodes whose values the step used but did not write (drawn fainter) */
  readonly read: ReadonlySet<string>;
  /** forward: values flow left to right; backward: gradients flow right to left; update: parameters change */
  readonly flow: "forward" | "backward" | "update" | "none";
}

/**
 * The nodes and edges a step wrote, from the names of the arrays it wrote:
 * - `a[l]`: the units of a[l]; `z[l]`: layer l was computed (its edges W[l], the units of
 *   a[l + 1]), reading a[l]; `loss`: the loss, reading ŷ;
 * - `dOut`: the gradient at ŷ, from the loss; `da[l]`: the units of a[l]; `dW[l]`: the edges
 *   W[l], reading a[l] and the units of a[l + 1]; `db[l]`: the units of a[l + 1];
 * - `W[l]`, `m(W[l])`, `v(W[l])`: the edges W[l]; `b[l]`, `m(b[l])`, `v(b[l])`: the units of a[l + 1].
 */
export function highlightOf(d: Diagram, writes: readonly string[]): Highlight {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  const read = new Set<string>();
  const L = d.sizes.length - 1;
  const column = (l: number, into: Set<string>) => {
    for (let j = 0; j < d.sizes[l]; j++) into.add(`n${l}-${j}`);
  };
  const weights = (l: number) => {
    for (const e of d.edges) if (e.layer === l && e.index >= 0) edges.add(e.id);
  };
  const lossLinks = () => {
    for (const e of d.edges) if (e.index < 0) edges.add(e.id);
  };
  let forward = false;
  let backward = false;
  let update = false;
  for (const name of writes) {
    const m = /^(m\(|v\()?(a|z|da|dW|db|W|b)\[(\d+)\]\)?$/.exec(name);
    if (name === "loss") {
      nodes.add("loss");
      lossLinks();
      column(L, read);
      forward = true;
    } else if (name === "dOut") {
      column(L, nodes);
      lossLinks();
      read.add("loss");
      backward = true;
    } else if (m !== null) {
      const l = Number(m[3]);
      const kind = m[2];
      if (m[1] !== undefined || kind === "W" || kind === "b") update = true;
      else if (kind === "a" || kind === "z") forward = true;
      else backward = true;
      if (kind === "a" || kind === "da") column(l, nodes);
      else if (kind === "z") {
        weights(l);
        column(l + 1, nodes);
        column(l, read);
      } else if (kind === "dW") {
        weights(l);
        column(l, read);
        column(l + 1, read);
      } else if (kind === "W") weights(l);
      else column(l + 1, nodes); // db[l], b[l] and its moments
    }
  }
  for (const id of nodes) read.delete(id);
  const flow = backward ? "backward" : update ? "update" : forward ? "forward" : "none";
  return { nodes, edges, read, flow };
}

/** Array entries a node or edge shows: `array`'s values at `indices` (flat, as the tables' cells' data-index). */
export interface Reading {
  readonly array: string;
  /** how the entries are written: `[:, j]` for a column of a [batch × units] array, `[k]` otherwise */
  readonly at: string;
  readonly indices: readonly number[];
  /** what the values are, in words */
  readonly what: string;
}

/** The entries of the stepper's arrays that belong to node or edge `id` (empty for the loss link). */
export function readingsOf(d: Diagram, id: string): Reading[] {
  const L = d.sizes.length - 1;
  const columnOf = (l: number, j: number) => Array.from({ length: d.batch }, (_, n) => n * d.sizes[l] + j);
  const col = (array: string, l: number, j: number, what: string): Reading => ({ array, at: `[:, ${j}]`, indices: columnOf(l, j), what });
  const one = (array: string, k: number, what: string): Reading => ({ array, at: `[${k}]`, indices: [k], what });
  if (id === "loss") return [one("loss", 0, "the loss: mean over the batch of (ŷ − target)²")];
  const edge = d.edges.find((e) => e.id === id);
  if (edge !== undefined) {
    if (edge.index < 0) return [];
    const { layer: l, index: k } = edge;
    return [
      one(`W[${l}]`, k, "the weight"),
      one(`dW[${l}]`, k, "its gradient dL/dW"),
      one(`m(W[${l}])`, k, "Adam's first moment"),
      one(`v(W[${l}])`, k, "Adam's second moment"),
    ];
  }
  const node = d.nodes.find((n) => n.id === id);
  if (node === undefined) return [];
  const { layer: l, unit: j } = node;
  if (l === 0) return [col("a[0]", 0, j, "the input, one per pixel of the batch")];
  const out: Reading[] = [
    one(`b[${l - 1}]`, j, "the bias"),
    col(`z[${l - 1}]`, l, j, "pre-activation, one per pixel"),
    col(`a[${l}]`, l, j, l === L ? "the output ŷ, one per pixel" : "activation, one per pixel"),
  ];
  if (l === L) out.push(col("dOut", l, j, "dL/dŷ from the loss"));
  out.push(
    col(`da[${l}]`, l, j, "the gradient arriving here: dL/da, then dL/dz once activationBackward wrote over it"),
    one(`db[${l - 1}]`, j, "the bias's gradient"),
    one(`m(b[${l - 1}])`, j, "Adam's first moment of the bias"),
    one(`v(b[${l - 1}])`, j, "Adam's second moment of the bias"),
  );
  return out;
}

/**
 * The order in which the keyboard visits the diagram: groups from left to right — a[0]'s units,
 * W[0]'s edges, a[1]'s units, …, a[L]'s units, the loss — each top to bottom. Left and Right move
 * between groups, Up and Down within one.
 */
export function focusGroups(d: Diagram): string[][] {
  const L = d.sizes.length - 1;
  const groups: string[][] = [];
  for (let l = 0; l <= L; l++) {
    groups.push(d.nodes.filter((n) => n.layer === l).map((n) => n.id));
    // by target unit then source unit: W[l]'s row-major order, as its table
    if (l < L) groups.push(d.edges.filter((e) => e.layer === l && e.index >= 0).map((e) => e.id));
  }
  groups.push(["loss"]);
  return groups;
}

/** Where a key press moves focus from `id` (undefined: the key is not the diagram's). */
export function moveFocus(groups: readonly (readonly string[])[], id: string, key: string): string | undefined {
  const g = groups.findIndex((ids) => ids.includes(id));
  if (g < 0) return groups[0]?.[0];
  const i = groups[g].indexOf(id);
  const across = (to: number) => {
    const target = groups[Math.max(0, Math.min(groups.length - 1, to))];
    // keep the relative height: the middle unit of one column goes to the middle of the next
    const k = groups[g].length === 1 ? (target.length - 1) / 2 : (i * (target.length - 1)) / (groups[g].length - 1);
    return target[Math.round(k)];
  };
  switch (key) {
    case "ArrowDown":
      return groups[g][Math.min(i + 1, groups[g].length - 1)];
    case "ArrowUp":
      return groups[g][Math.max(i - 1, 0)];
    case "ArrowRight":
      return across(g + 1);
    case "ArrowLeft":
      return across(g - 1);
    case "Home":
      return groups[0][0];
    case "End":
      return groups[groups.length - 1][groups[groups.length - 1].length - 1];
    default:
      return undefined;
  }
}
