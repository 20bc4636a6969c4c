// The backprop stepper page (web/stepper.html) in headless chromium, built and served as
// test/browser.test.ts does: stepping through one training step in the page gives the numbers
// web/stepper-core.ts gives in Node for the same options (which test/stepper.test.ts checks
// against the reference, bit for bit), the page shows them, its highlighted lines are the real
// file's, its finite-difference check shows Node's numbers, and nothing is logged as an error.
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, gradientCheck, locate, type Step, Stepper, type StepperOptions } from "../web/stepper-core.js";
import { buildSite, launch, noBrowser, openPage, removeSite, serve } from "./browser-harness.js";

const skip = noBrowser();
if (skip !== null) console.warn(`stepper browser tests skipped: ${skip}`);

describe.skipIf(skip !== null)("the backprop stepper in headless chromium", () => {
  let site: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;

  beforeAll(async () => {
    site = await buildSite();
    server = await serve(site);
    browser = await launch();
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) await removeSite(site);
  });

  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await openPage(browser, `${server.url}stepper.html${query}`);
    await page.waitForFunction(() => (globalThis as unknown as { coordnetStepper?: unknown }).coordnetStepper !== undefined, null, { timeout: 30_000 });
    return { page, errors };
  }

  const trace = (page: Page) => page.evaluate(() => (globalThis as unknown as { coordnetStepper: { trace: () => Step[] } }).coordnetStepper.trace());

  it("the index page links to the stepper", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
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
});
