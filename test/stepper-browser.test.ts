// The backprop stepper page (web/stepper.html) in headless chromium, built and served as
// test/browser.test.ts does: stepping through one training step in the page gives the numbers
// web/stepper-core.ts gives in Node for the same options (which test/stepper.test.ts checks
// against the reference, bit for bit), the page shows them, its highlighted lines are the real
// file's, its finite-difference check shows Node's numbers, and nothing is logged as an error.
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, gradientCheck, locate, type Step, Stepper, type StepperOptions } from "../web/stepper-core.js";
import { buildSite, launch, noBrowser, removeSite, serve } from "./browser-harness.js";

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
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}stepper.html${query}`);
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
      // the whole trace, every array after every call, equals Node's (numbers cross as JSON: exact)
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
      const c = gradientCheck(options, node.paramsAtForward[0], 0, "W", 1);
      const fd = (await page.textContent("#fd-out")) ?? "";
      expect(fd).toContain(`numerical ${c.numerical.toPrecision(10)}`);
      expect(fd).toContain(`backprop ${c.backprop.toPrecision(10)}`);
      expect(fd).toContain(`relative difference ${c.relative.toExponential(2)}`);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it("a bad option shows one line starting coordnet:", async () => {
    const { page, errors } = await open("");
    await page.fill("#st-width", "99");
    await page.dispatchEvent("#st-width", "change");
    expect(await page.textContent("#st-error")).toBe("coordnet: width must be a whole number from 1 to 8, got 99");
    expect(await page.isVisible("#st-error")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
