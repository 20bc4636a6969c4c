// The backprop stepper page (web/stepper.html) in headless chromium, built and served as
// test/browser.test.ts does: stepping through one training step in the page gives the numbers
// web/stepper-core.ts gives in Node for the same options (which test/stepper.test.ts checks
// against the reference, bit for bit), the page shows them, its highlighted lines are the real
// file's, its finite-difference check shows Node's numbers, and nothing is logged as an error.
// The network's picture lights, call by call, what test/stepper-calls.ts says each call computes;
// what a node or edge shows on hover and on keyboard focus is the tables' numbers; N and P step;
// no panel overlaps another or runs off the page from 360 to 1920 px; axe-core finds no serious or
// critical violation; and a page's URL restores every control on another page.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, gradientCheck, locate, type Step, Stepper, type StepperOptions } from "../web/stepper-core.js";
import { noBrowser, openPage } from "./browser-harness.js";
import { siteInChromium } from "./browser-site.js";
import { DEFAULT_CALLS, DEFAULT_SIZES, units } from "./stepper-calls.js";

const skip = noBrowser();
if (skip !== null) console.warn(`stepper browser tests skipped: ${skip}`);

describe.skipIf(skip !== null)("the backprop stepper in headless chromium", () => {
  const lab = siteInChromium();

  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await openPage(lab.browser, `${lab.url}stepper.html${query}`);
    await page.waitForFunction(() => (globalThis as unknown as { coordnetStepper?: unknown }).coordnetStepper !== undefined, null, { timeout: 30_000 });
    return { page, errors };
  }

  const trace = (page: Page) => page.evaluate(() => (globalThis as unknown as { coordnetStepper: { trace: () => Step[] } }).coordnetStepper.trace());

  it("the index page links to the stepper", async () => {
    const page = await lab.browser.newPage();
    await page.goto(lab.url);
    expect(await page.getAttribute("a.stepper-link", "href")).toBe("./stepper.html");
    await page.close();
  });

  for (const [name, query, options] of [
    ["the default 2→3→3→1", "", DEFAULT_OPTIONS],
    [
      "2→4→1 tanh/identity, float32, 6 pixels, seed 5, set by the URL",
      "?width=4&depth=1&activation=tanh&output=identity&pixels=6&seed=5&lr=0.05&dtype=float32",
      { ...DEFAULT_OPTIONS, width: 4, depth: 1, activation: "tanh", outputActivation: "identity", pixels: 6, seed: 5, lr: 0.05, dtype: "float32" },
    ],
  ] as [string, string, StepperOptions][]) {
    it(`${name}: one training step in the page equals the Node computation, and the page shows it`, async () => {
      const { page, errors } = await open(query);
      const node = new Stepper(options);
      const last = node.runToEndOfStep();
      // step by step: Next three times, Previous once, then Run to end of step
      for (let i = 0; i < 3; i++) await page.click("#st-next");
      await page.click("#st-prev");
      expect(await page.textContent("#st-status")).toContain(`Step 2 (training step 1 · forward): ${node.steps[2].title}`);
      await page.click("#st-run");
      expect(await page.textContent("#st-status")).toContain(`Step ${last.index} (training step 1 · update): Adam step 1`);
      // the whole trace, every array after every call, equals Node's, bit for bit: Playwright's
      // serializer carries numbers exactly (−0, NaN and ±Infinity included, which JSON would not) and
      // toEqual compares numbers with Object.is
      expect(await trace(page)).toEqual(node.trace());
      // what the page shows: the exact value behind each cell of the arrays written by Adam and of the loss
      for (const array of ["W[0]", "b[0]", "m(W[0])", `v(W[${options.depth}])`, "loss"]) {
        const shown = await page.$$eval(`table[data-name="${array}"] td`, (tds) =>
          tds.map((td) => Number((td as unknown as { dataset: Record<string, string> }).dataset.value)),
        );
        expect(shown, array).toEqual(last.arrays[array]);
      }
      expect(await page.getAttribute('table[data-name="W[0]"]', "class")).toContain("written");
      // marked changed: the weights Adam moved (a weight whose gradient is 0 so far, behind a dead ReLU, stays)
      const before = node.steps[last.index - 1].arrays["W[0]"];
      const moved = last.arrays["W[0]"].map((v, k) => (Object.is(v, before[k]) ? -1 : k)).filter((k) => k >= 0);
      expect(moved.length).toBeGreaterThan(0);
      expect(
        await page.$$eval('table[data-name="W[0]"] td.changed', (tds) =>
          tds.map((td) => Number((td as unknown as { dataset: Record<string, string> }).dataset.index)),
        ),
      ).toEqual(moved);
      // the highlighted lines are the real file's adamStep region
      const adam = readFileSync("src/reference/adam.ts", "utf8");
      const [a, b] = locate(adam, { region: "adamStep" });
      const highlighted = await page.$$eval("pre.source .line.hl", (lines) => lines.map((l) => (l.childNodes[1]?.textContent ?? "").replace(/\n$/, "")));
      expect(highlighted).toEqual(adam.split("\n").slice(a - 1, b));
      expect(await page.textContent("#st-code figcaption")).toBe(`src/reference/adam.ts, lines ${a}–${b}`);
      // the finite-difference check shows Node's numbers
      await page.selectOption("#fd-layer", "0");
      await page.selectOption("#fd-which", "W");
      await page.fill("#fd-index", "1");
      await page.click("#fd-run");
      const c = gradientCheck(options, node.paramsAtForward(1) ?? [], 0, "W", 1);
      const fd = (await page.textContent("#fd-out")) ?? "";
      expect(fd).toContain(`numerical ${c.numerical.toPrecision(10)}`);
      expect(fd).toContain(`backprop ${c.backprop.toPrecision(10)}`);
      expect(fd).toContain(`relative difference ${c.relative.toExponential(2)}`);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  const disabled = (page: Page) => page.$$eval("#st-prev, #st-next, #st-run, #fd-run", (bs) => bs.map((b) => (b as unknown as { disabled: boolean }).disabled));

  it("a bad shared link (?width=99) shows the default network, the one-line error and disables stepping until the fields are valid", async () => {
    const { page, errors } = await open("?width=99");
    expect(await page.textContent("#st-error")).toBe("coordnet: width must be a whole number from 1 to 8, got 99");
    expect(await page.isVisible("#st-error")).toBe(true);
    // the field shows what the link asked for; the network on screen is the default one
    expect(await page.inputValue("#st-width")).toBe("99");
    const api = () =>
      page.evaluate(() => {
        const s = (globalThis as unknown as { coordnetStepper: { options: () => unknown; trace: () => Step[] } }).coordnetStepper;
        return { options: s.options(), steps: s.trace().length };
      });
    expect(await api()).toEqual({ options: DEFAULT_OPTIONS, steps: 1 });
    expect(await disabled(page)).toEqual([true, true, true, true]);
    expect(await page.isEnabled("#st-reset")).toBe(true);
    // a valid width enables stepping, on the network the fields describe
    await page.fill("#st-width", "4");
    await page.dispatchEvent("#st-width", "change");
    expect(await page.isVisible("#st-error")).toBe(false);
    expect(await disabled(page)).toEqual([true, false, false, false]); // Previous: nothing before the initialisation
    await page.click("#st-next");
    expect(await api()).toEqual({ options: { ...DEFAULT_OPTIONS, width: 4 }, steps: 2 });
    expect(await disabled(page)).toEqual([false, false, false, false]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("changed cells are marked by more than colour, and the finite-difference index says the array's shape", async () => {
    const { page, errors } = await open("");
    await page.click("#st-next");
    await page.click("#st-next"); // denseForward 0 writes z[0]
    const cells = await page.$$eval('table[data-name="z[0]"] td.changed', (tds) =>
      tds.map((td) => {
        // the page's window (this file is typed without the DOM)
        const style = (globalThis as unknown as { getComputedStyle: (e: unknown) => { fontWeight: string; textDecorationLine: string } }).getComputedStyle(td);
        return { weight: style.fontWeight, underline: style.textDecorationLine, title: (td as unknown as { title: string }).title };
      }),
    );
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) {
      expect(c.weight).toBe("700");
      expect(c.underline).toBe("underline");
      expect(c.title).toMatch(/^z\[0\]\[\d+\] = \S+ \(changed by this step; was 0\)$/);
    }
    // W[0] of the default is 3 outputs × 2 inputs
    expect(await page.textContent("#fd-shape")).toContain("W[0] is [3×2] (outputs × inputs), row-major: index = row·2 + column, 0–5");
    await page.selectOption("#fd-which", "b");
    expect(await page.textContent("#fd-shape")).toBe("b[0] is [1×3]: index 0–2");
    // clicking a cell of W[1] chooses it
    await page.click('table[data-name="W[1]"] td[data-index="4"]');
    expect([await page.inputValue("#fd-layer"), await page.inputValue("#fd-which"), await page.inputValue("#fd-index")]).toEqual(["1", "W", "4"]);
    expect(await page.textContent("#fd-shape")).toContain("W[1] is [3×3]");
    expect(await page.textContent("#st-history")).toBe("Previous goes back at most 20 training steps: older ones are not kept.");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("a bad option shows one line starting coordnet:", async () => {
    const { page, errors } = await open("");
    await page.fill("#st-width", "99");
    await page.dispatchEvent("#st-width", "change");
    expect(await page.textContent("#st-error")).toBe("coordnet: width must be a whole number from 1 to 8, got 99");
    expect(await page.isVisible("#st-error")).toBe(true);
    // the old network stays on screen, but nothing steps it while the fields say otherwise
    expect(await disabled(page)).toEqual([true, true, true, true]);
    expect(await page.evaluate(() => (globalThis as unknown as { coordnetStepper: { options: () => unknown } }).coordnetStepper.options())).toEqual(
      DEFAULT_OPTIONS,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  /** What the diagram shows now: the lit node and edge ids, the flow, and the readout's node or edge and its values. */
  const diagramState = (page: Page) =>
    page.evaluate(() => {
      // the page's DOM (this file is typed without it)
      const doc = (globalThis as unknown as { document: { querySelector: (s: string) => Elem | null; querySelectorAll: (s: string) => Elem[] } }).document;
      type Elem = { dataset: Record<string, string>; textContent: string | null };
      const ids = (sel: string) => Array.from(doc.querySelectorAll(sel), (e) => e.dataset.id).sort();
      return {
        nodes: ids("#st-diagram .node.active"),
        edges: ids("#st-diagram .edge.active"),
        flow: doc.querySelector("#st-diagram")?.dataset.flow,
        watched: doc.querySelector("#st-readout")?.dataset.id,
        readout: Array.from(doc.querySelectorAll("#st-readout .value"), (e) => ({
          array: e.dataset.array,
          index: e.dataset.index,
          value: e.dataset.value,
          text: e.textContent,
        })),
      };
    });

  /** The cells of the tables that hold the readout's entries: their exact value and the text shown. */
  const cellsOf = (page: Page, readout: { array?: string; index?: string }[]) =>
    Promise.all(
      readout.map(async (r) => {
        const cell = `table[data-name="${r.array}"] td[data-index="${r.index}"]`;
        return { array: r.array, index: r.index, value: await page.getAttribute(cell, "data-value"), text: await page.textContent(cell) };
      }),
    );

  it("the diagram lights, call by call, the units and weights each call computes; edges are coloured by sign and sized by |w|", async () => {
    const { page, errors } = await open("");
    for (const [k, [fn, layer, nodes, weights, flow]] of DEFAULT_CALLS.entries()) {
      if (k > 0) await page.click("#st-next");
      expect(await page.textContent("#st-status")).toContain(`Step ${k} `);
      const edges = weights.flatMap((l) =>
        l === "loss"
          ? ["e-loss"]
          : Array.from({ length: DEFAULT_SIZES[l] * DEFAULT_SIZES[l + 1] }, (_, i) => `e${l}-${Math.floor(i / DEFAULT_SIZES[l])}-${i % DEFAULT_SIZES[l]}`),
      );
      const shown = await diagramState(page);
      expect({ nodes: shown.nodes, edges: shown.edges, flow: shown.flow }, `call ${k}: ${fn} ${layer}`).toEqual({
        nodes: units(DEFAULT_SIZES, nodes),
        edges: edges.sort(),
        flow,
      });
    }
    // after Adam: each edge's colour class is its weight's sign in the W table, its width grows with |w|
    const edges = await page.$$eval("#st-diagram .edge:not(.loss-link)", (gs) =>
      gs.map((g) => {
        const e = g as unknown as {
          dataset: Record<string, string>;
          classList: { contains: (c: string) => boolean };
          querySelector: (s: string) => { getAttribute: (a: string) => string };
        };
        return {
          id: e.dataset.id,
          positive: e.classList.contains("positive"),
          negative: e.classList.contains("negative"),
          width: Number(e.querySelector(".wire").getAttribute("stroke-width")),
        };
      }),
    );
    expect(edges.length).toBe(2 * 3 + 3 * 3 + 3);
    const weighted = await Promise.all(
      edges.map(async (e) => {
        const [, l, j, i] = /^e(\d)-(\d)-(\d)$/.exec(e.id) as RegExpExecArray;
        const w = Number(
          await page.getAttribute(`table[data-name="W[${l}]"] td[data-index="${Number(j) * DEFAULT_SIZES[Number(l)] + Number(i)}"]`, "data-value"),
        );
        return { ...e, w };
      }),
    );
    for (const e of weighted) expect([e.positive, e.negative], e.id).toEqual([e.w > 0, e.w < 0]);
    weighted.sort((a, b) => Math.abs(a.w) - Math.abs(b.w));
    for (let k = 1; k < weighted.length; k++) expect(weighted[k].width).toBeGreaterThanOrEqual(weighted[k - 1].width);
    expect(weighted[weighted.length - 1].width).toBeGreaterThan(weighted[0].width);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("hovering or focusing a node or an edge shows the tables' numbers; arrow keys move, Enter chooses it for the finite-difference check", async () => {
    const { page, errors } = await open("?step=14"); // layer 1's denseBackward: the gradients are not 0
    expect(await page.textContent("#st-status")).toContain("Step 14 (training step 1 · backward)");
    /** move the mouse onto `id`: a node's centre, or a point of an edge that no other edge covers (edges of a layer cross) */
    const hover = async (id: string) => {
      const at = await page.evaluate((id) => {
        type Box = { left: number; top: number; width: number; height: number };
        type Elem = { getBoundingClientRect: () => Box; closest: (s: string) => { dataset: Record<string, string> } | null };
        const doc = (globalThis as unknown as { document: { querySelector: (s: string) => Elem; elementFromPoint: (x: number, y: number) => Elem | null } })
          .document;
        const centre = (sel: string) => {
          const b = doc.querySelector(sel).getBoundingClientRect();
          return [b.left + b.width / 2, b.top + b.height / 2];
        };
        const m = /^e(\d)-(\d)-(\d)$/.exec(id);
        if (m === null) return centre(`[data-id="${id}"] circle`);
        const [x1, y1] = centre(`[data-id="n${m[1]}-${m[3]}"] circle`);
        const [x2, y2] = centre(`[data-id="n${Number(m[1]) + 1}-${m[2]}"] circle`);
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
          const [x, y] = [x1 + t * (x2 - x1), y1 + t * (y2 - y1)];
          if (doc.elementFromPoint(x, y)?.closest("[data-id]")?.dataset.id === id) return [x, y];
        }
        throw new Error(`no point of ${id} is its own`);
      }, id);
      await page.mouse.move(at[0], at[1]);
    };
    for (const id of ["e1-2-0", "e0-0-1", "n2-1", "n1-0", "n3-0", "n0-1", "loss"]) {
      await hover(id);
      const shown = await diagramState(page);
      expect(shown.watched, id).toBe(id);
      expect(shown.readout.length).toBeGreaterThan(0);
      // each number shown is a table's cell: the same exact value, printed the same
      expect(
        shown.readout.map((r) => ({ array: r.array, index: r.index, value: r.value, text: r.text })),
        id,
      ).toEqual(await cellsOf(page, shown.readout));
      // and its accessible name (the <title>) says them too
      const title = (await page.textContent(`[data-id="${id}"] > title`)) ?? "";
      for (const r of shown.readout) expect(title, id).toContain(r.text as string);
      expect(await page.getByRole("img", { name: title, exact: true }).count()).toBe(1);
    }
    // a weight's readout names W, dW, m and v at its index: the edge from unit 0 of a[1] to unit 2 of a[2] is W[1][6]
    await hover("e1-2-0");
    expect((await diagramState(page)).readout.map((r) => `${r.array}[${r.index}]`)).toEqual(["W[1][6]", "dW[1][6]", "m(W[1])[6]", "v(W[1])[6]"]);
    // the keyboard: the diagram is one tab stop after the finite-difference box, on the watched edge
    await page.focus("#fd-run");
    await page.keyboard.press("Tab");
    const focused = () =>
      page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { dataset?: Record<string, string> } | null } }).document.activeElement?.dataset?.id,
      );
    expect(await focused()).toBe("e1-2-0");
    await page.keyboard.press("ArrowRight"); // to a[2], at the same height: W[1]'s 7th of 9 edges leads to unit 2 of 3
    expect(await focused()).toBe("n2-2");
    await page.keyboard.press("ArrowUp");
    expect(await focused()).toBe("n2-1");
    let shown = await diagramState(page);
    expect(shown.watched).toBe("n2-1");
    expect(shown.readout.map((r) => ({ array: r.array, index: r.index, value: r.value, text: r.text }))).toEqual(await cellsOf(page, shown.readout));
    await page.keyboard.press("ArrowLeft"); // back to W[1]'s edges, the middle one (W[1] row 1, column 1)
    expect(await focused()).toBe("e1-1-1");
    shown = await diagramState(page);
    expect(shown.readout.map((r) => `${r.array}[${r.index}]`)).toEqual(["W[1][4]", "dW[1][4]", "m(W[1])[4]", "v(W[1])[4]"]);
    await page.keyboard.press("Enter");
    expect([await page.inputValue("#fd-layer"), await page.inputValue("#fd-which"), await page.inputValue("#fd-index")]).toEqual(["1", "W", "4"]);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter"); // a unit: its bias
    expect([await page.inputValue("#fd-layer"), await page.inputValue("#fd-which"), await page.inputValue("#fd-index")]).toEqual(["1", "b", "1"]);
    // stepping keeps the watched unit, with the next call's numbers
    await page.click("#st-next");
    shown = await diagramState(page);
    expect(shown.watched).toBe("n2-1");
    expect(shown.readout.map((r) => ({ array: r.array, index: r.index, value: r.value, text: r.text }))).toEqual(await cellsOf(page, shown.readout));
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("N and P step forward and back from the keyboard, not while typing in a field, and not once turned off", async () => {
    const { page, errors } = await open("");
    const status = async () => /^Step (\d+)/.exec((await page.textContent("#st-status")) ?? "")?.[1];
    for (let k = 0; k < 3; k++) await page.keyboard.press("n");
    expect(await status()).toBe("3");
    await page.keyboard.press("p");
    expect(await status()).toBe("2");
    await page.focus("#st-seed");
    await page.keyboard.press("n");
    expect(await status()).toBe("2");
    expect(await page.getAttribute("#st-next", "aria-keyshortcuts")).toBe("N");
    await page.uncheck("#st-keys");
    await page.focus("#st-next");
    await page.keyboard.press("n");
    expect(await status()).toBe("2");
    // the buttons themselves work from the keyboard
    await page.keyboard.press("Enter");
    expect(await status()).toBe("3");
    expect(new URL(page.url()).searchParams.get("keys")).toBe("off");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  // In the page: the panels' boxes, pairwise intersections, and any element that sticks out of its
  // panel without a scrolling box between them (a string: this file is typed without the DOM)
  const LAYOUT = `(() => {
    const panels = ["#st-header", "#stepper-controls", "#st-diagram-box", "#st-code", "#st-arrays"].map((s) => [s, document.querySelector(s)]);
    const problems = [];
    const boxes = panels.map(([s, e]) => [s, e.getBoundingClientRect()]);
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + width);
    for (const [s, b] of boxes) if (b.left < 0 || b.right > width + 0.5) problems.push(s + " runs off the page: " + b.left + "–" + b.right);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i];
        const [b, q] = boxes[j];
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 0.5 && h > 0.5) problems.push(a + " overlaps " + b + " by " + w.toFixed(1) + "×" + h.toFixed(1));
      }
    const scrolls = (e) => ["auto", "scroll", "hidden"].includes(getComputedStyle(e).overflowX);
    for (const [s, panel] of panels) {
      const p = panel.getBoundingClientRect();
      for (const e of panel.querySelectorAll("*")) {
        if (e.closest("svg") !== null && e.tagName !== "svg") continue;
        let clipped = false;
        for (let a = e.parentElement; a !== null && a !== panel.parentElement; a = a.parentElement) if (scrolls(a)) clipped = true;
        if (clipped) continue;
        const b = e.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        if (b.left < p.left - 0.5 || b.right > p.right + 0.5) problems.push(s + " > " + e.tagName + (e.id ? "#" + e.id : "") + " sticks out: " + b.left.toFixed(1) + "–" + b.right.toFixed(1) + " of " + p.left.toFixed(1) + "–" + p.right.toFixed(1));
      }
    }
    return problems;
  })()`;

  it("no panel overlaps another, sticks out or makes the page scroll sideways, from 360 to 1920 px", async () => {
    const { page, errors } = await open("?step=14");
    const largest = await lab.browser.newPage();
    await largest.goto(`${lab.url}stepper.html?width=8&depth=4&pixels=16&step=40&watch=e2-7-0`);
    await largest.waitForSelector("#st-arrays table");
    for (const p of [page, largest])
      for (const width of [360, 1024, 1300, 1920]) {
        await p.setViewportSize({ width, height: 900 });
        expect(await p.evaluate(LAYOUT), `${width} px, ${p.url()}`).toEqual([]);
      }
    // not vacuous: a panel widened by hand is caught
    await page.addStyleTag({ content: "#stepper-controls { width: 700px; }" });
    expect(((await page.evaluate(LAYOUT)) as string[]).some((p) => p.includes("#stepper-controls overlaps #st-diagram-box"))).toBe(true);
    expect(errors).toEqual([]);
    await largest.close();
    await page.close();
  }, 90_000);

  it("axe-core finds no serious or critical accessibility violation, on a wide and a phone screen, with the error line shown too", async () => {
    for (const [query, width] of [
      ["?step=14&watch=e1-2-0", 1300],
      ["?step=14&watch=n2-1", 360],
      ["?width=99", 1300],
    ] as const) {
      const { page, errors } = await open(query);
      await page.setViewportSize({ width, height: 900 });
      await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
      const violations = await page.evaluate(async () => {
        type Result = { id: string; impact: string | null; nodes: { target: string[] }[] };
        const page = globalThis as unknown as {
          document: unknown;
          axe: { run: (c: unknown, o: unknown) => Promise<{ violations: Result[]; passes: Result[] }> };
        };
        const r = await page.axe.run(page.document, { resultTypes: ["violations"] });
        return {
          bad: r.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
          ran: r.passes.length,
        };
      });
      expect(violations.bad, `${query} at ${width} px`).toEqual([]);
      expect(violations.ran).toBeGreaterThan(10); // the scan ran its rules
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it("a page's URL restores every control, the call on screen and the watched edge on another page", async () => {
    const { page, errors } = await open("");
    await page.fill("#st-width", "4");
    await page.dispatchEvent("#st-width", "change");
    await page.fill("#st-depth", "3");
    await page.dispatchEvent("#st-depth", "change");
    await page.selectOption("#st-activation", "gelu");
    await page.selectOption("#st-output", "identity");
    for (const [id, v] of [
      ["#st-pixels", "6"],
      ["#st-seed", "5"],
      ["#st-lr", "0.05"],
    ]) {
      await page.fill(id, v);
      await page.dispatchEvent(id, "change");
    }
    await page.selectOption("#st-dtype", "float32");
    for (let k = 0; k < 9; k++) await page.click("#st-next");
    await page.selectOption("#fd-layer", "2");
    await page.selectOption("#fd-which", "b");
    await page.fill("#fd-index", "3");
    await page.dispatchEvent("#fd-index", "change");
    await page.uncheck("#st-keys");
    await page.focus('[data-id="e1-3-2"]');
    const url = page.url();
    expect(new URL(url).search).toBe(
      "?width=4&depth=3&activation=gelu&output=identity&pixels=6&seed=5&lr=0.05&dtype=float32&fd-layer=2&fd-array=b&fd-index=3&keys=off&step=9&watch=e1-3-2",
    );
    const controls = [
      "#st-width",
      "#st-depth",
      "#st-activation",
      "#st-output",
      "#st-pixels",
      "#st-seed",
      "#st-lr",
      "#st-dtype",
      "#fd-layer",
      "#fd-which",
      "#fd-index",
    ];
    const state = async (p: Page) => ({
      values: await Promise.all(controls.map((c) => p.inputValue(c))),
      keys: await p.isChecked("#st-keys"),
      status: await p.textContent("#st-status"),
      shape: await p.textContent("#fd-shape"),
      diagram: await diagramState(p),
      trace: await trace(p),
    });
    const before = await state(page);
    expect(before.values).toEqual(["4", "3", "gelu", "identity", "6", "5", "0.05", "float32", "2", "b", "3"]);
    const second = await open(new URL(url).search);
    expect(await state(second.page)).toEqual(before);
    expect(second.page.url()).toBe(url);
    // a link the page cannot take in part says so in one line, and shows the rest
    const bad = await open("?width=4&step=x&fd-array=Q");
    expect(await bad.page.textContent("#st-error")).toBe(`coordnet: step must be a whole number from 0 to 5000, got x`);
    expect(await bad.page.inputValue("#st-width")).toBe("4");
    expect(await bad.page.inputValue("#fd-which")).toBe("W");
    for (const p of [page, second.page, bad.page]) await p.close();
    expect([...errors, ...second.errors, ...bad.errors]).toEqual([]);
  }, 90_000);
});
