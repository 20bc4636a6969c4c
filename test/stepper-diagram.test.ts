// The stepper page's picture of the network (web/stepper-diagram.ts) and its URL state
// (web/stepper-url.ts), in Node: the diagram has one edge per weight at its row-major index; what a
// call lights up, for every call of a training step of the real Stepper, is the table below, written
// by hand from what each reference function computes (not from the code under test); every value a
// node or edge shows is an entry of an array the stepper has; the keyboard reaches every node and
// edge; a state survives its query string.
import { describe, expect, it } from "vitest";
import { layerSizes } from "../dist/reference/index.js";
import { DEFAULT_OPTIONS, Stepper, specOf } from "../web/stepper-core.js";
import { diagramOf, focusGroups, highlightOf, moveFocus, readingsOf } from "../web/stepper-diagram.js";
import { CONTROLS, MAX_STEP, queryOf, stateOf } from "../web/stepper-url.js";
import { DEFAULT_CALLS, units } from "./stepper-calls.js";

describe("the stepper's diagram", () => {
  it("has a node per unit and the loss, and an edge per weight at its row-major index [outputs][inputs]", () => {
    const sizes = [2, 5, 5, 1];
    const d = diagramOf(sizes, 6);
    expect(d.nodes.map((n) => n.id)).toEqual([...units(sizes, [0]), ...units(sizes, [1]), ...units(sizes, [2]), ...units(sizes, [3]), "loss"]);
    for (let l = 0; l < 3; l++) {
      const edges = d.edges.filter((e) => e.layer === l && e.index >= 0);
      // each index of W[l] exactly once, and it joins input unit i to output unit j
      expect(edges.map((e) => e.index).sort((a, b) => a - b)).toEqual(Array.from({ length: sizes[l] * sizes[l + 1] }, (_, k) => k));
      for (const e of edges) {
        const j = Math.floor(e.index / sizes[l]);
        const i = e.index % sizes[l];
        expect([e.from, e.to, e.id]).toEqual([`n${l}-${i}`, `n${l + 1}-${j}`, `e${l}-${j}-${i}`]);
      }
    }
    // every node inside the picture, columns left to right
    for (const n of d.nodes) {
      expect(n.x).toBeGreaterThan(0);
      expect(n.x).toBeLessThan(d.width);
      expect(n.y).toBeGreaterThan(0);
      expect(n.y).toBeLessThan(d.height);
    }
    expect(d.columns.map((c) => c.text)).toEqual(["a[0]", "a[1]", "a[2]", "a[3] = ŷ", "loss"]);
  });

  it("lights, for every call of a training step of the default network, the units and weights that call computes", () => {
    const stepper = new Stepper(DEFAULT_OPTIONS);
    const sizes = layerSizes(specOf(DEFAULT_OPTIONS));
    const d = diagramOf(sizes, DEFAULT_OPTIONS.pixels);
    const lossLink = ["e-loss"];
    DEFAULT_CALLS.forEach(([fn, layer, nodes, weights, flow], k) => {
      const step = k === 0 ? stepper.steps[0] : stepper.next();
      expect([step.fn, step.layer]).toEqual([fn, layer]);
      const h = highlightOf(d, step.writes);
      expect([...h.nodes].sort(), `${fn} ${layer}`).toEqual(units(sizes, nodes));
      const edges = weights.flatMap((l) => (l === "loss" ? lossLink : d.edges.filter((e) => e.layer === l && e.index >= 0).map((e) => e.id)));
      expect([...h.edges].sort(), `${fn} ${layer}`).toEqual(edges.sort());
      expect(h.flow, `${fn} ${layer}`).toBe(flow);
    });
  });

  it("shows, for every node and edge, entries of arrays the stepper has, inside their shapes", () => {
    const o = { ...DEFAULT_OPTIONS, width: 4, depth: 3, pixels: 5 };
    const stepper = new Stepper(o);
    const step = stepper.runToEndOfStep();
    const d = diagramOf(layerSizes(specOf(o)), o.pixels);
    for (const id of [...d.nodes.map((n) => n.id), ...d.edges.map((e) => e.id)]) {
      for (const r of readingsOf(d, id)) {
        expect(step.arrays[r.array], `${id}: ${r.array}`).toBeDefined();
        const [rows, cols] = stepper.shapes[r.array];
        for (const k of r.indices) expect(k).toBeLessThan(rows * cols);
      }
    }
    // a weight: its W, dW, m and v at its index; a hidden unit: its column of z, a, da (one per pixel) and its bias
    expect(readingsOf(d, "e1-2-3").map((r) => `${r.array}${r.at}:${r.indices}`)).toEqual(["W[1][11]:11", "dW[1][11]:11", "m(W[1])[11]:11", "v(W[1])[11]:11"]);
    const unit = readingsOf(d, "n2-1");
    expect(unit.find((r) => r.array === "a[2]")?.indices).toEqual([1, 5, 9, 13, 17]);
    expect(unit.find((r) => r.array === "z[1]")?.indices).toEqual([1, 5, 9, 13, 17]);
    expect(unit.find((r) => r.array === "b[1]")?.indices).toEqual([1]);
    expect(readingsOf(d, "n4-0").map((r) => r.array)).toContain("dOut");
    expect(readingsOf(d, "loss").map((r) => r.array)).toEqual(["loss"]);
  });

  it("the keyboard reaches every node and edge: arrows move between and within columns, and stop at the ends", () => {
    const d = diagramOf([2, 3, 3, 1], 4);
    const groups = focusGroups(d);
    const seen = new Set<string>();
    // walk: down each column to its bottom, back up to its top, then right to the next column's top
    let id = groups[0][0];
    for (let g = 0; g < groups.length; g++) {
      for (let k = 0; k < groups[g].length; k++) {
        seen.add(id);
        const down = moveFocus(groups, id, "ArrowDown") as string;
        if (k < groups[g].length - 1) id = down;
        else expect(down).toBe(id); // the bottom stays
      }
      for (let k = 0; k < groups[g].length - 1; k++) id = moveFocus(groups, id, "ArrowUp") as string;
      expect(id).toBe(groups[g][0]);
      const right = moveFocus(groups, id, "ArrowRight") as string;
      if (g < groups.length - 1) id = right;
      else expect(right).toBe(id); // the loss is the last
    }
    const focusable = [...d.nodes.map((n) => n.id), ...d.edges.filter((e) => e.index >= 0).map((e) => e.id)];
    expect([...seen].sort()).toEqual(focusable.sort());
    expect(moveFocus(groups, "n1-1", "ArrowUp")).toBe("n1-0");
    expect(moveFocus(groups, "n1-0", "ArrowUp")).toBe("n1-0");
    // the middle unit of a[1] leads to the middle weight of W[1], and from the loss Left goes to ŷ
    expect(moveFocus(groups, "n1-1", "ArrowRight")).toBe(groups[3][4]);
    expect(moveFocus(groups, "loss", "ArrowLeft")).toBe("n3-0");
    expect(moveFocus(groups, "n2-2", "Home")).toBe("n0-0");
    expect(moveFocus(groups, "n0-0", "End")).toBe("loss");
    expect(moveFocus(groups, "n0-0", "a")).toBeUndefined();
  });
});

describe("the stepper's URL", () => {
  it("writes only what differs from the start, and reads back every control, the step and the watched id", () => {
    expect(queryOf({ controls: Object.fromEntries(CONTROLS.map((c) => [c.param, c.initial])), step: 0, watch: null })).toBe("");
    const changed = ["5", "3", "tanh", "identity", "9", "7", "0.05", "float32", "2", "b", "3", "off"];
    const controls = Object.fromEntries(CONTROLS.map((c, k) => [c.param, changed[k]]));
    for (const c of CONTROLS) expect(controls[c.param], c.param).not.toBe(c.initial);
    const q = queryOf({ controls, step: 37, watch: "e1-2-0" });
    expect(q).toBe(
      "?width=5&depth=3&activation=tanh&output=identity&pixels=9&seed=7&lr=0.05&dtype=float32&fd-layer=2&fd-array=b&fd-index=3&keys=off&step=37&watch=e1-2-0",
    );
    expect(stateOf(q)).toEqual({ controls, step: 37, watch: "e1-2-0", problems: [] });
    expect(stateOf("?width=4")).toEqual({
      controls: { ...Object.fromEntries(CONTROLS.map((c) => [c.param, c.initial])), width: "4" },
      step: 0,
      watch: null,
      problems: [],
    });
  });

  it("a bad step is one line starting coordnet:, and the page starts at step 0", () => {
    for (const bad of ["-1", "1.5", "x", "", String(MAX_STEP + 1)]) {
      const s = stateOf(`?step=${bad}`);
      expect(s.step).toBe(0);
      expect(s.problems).toEqual([`coordnet: step must be a whole number from 0 to ${MAX_STEP}, got ${bad}`]);
    }
    expect(stateOf(`?step=${MAX_STEP}`).step).toBe(MAX_STEP);
  });
});
