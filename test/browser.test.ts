// The playground in a real browser: Debian's chromium, headless, WebGL2 and WebGPU on SwiftShader
// (a CPU: these runs check behaviour, not speed). The site is built with the same Vite config as
// `npm run build:site` and served with the COOP/COEP headers a static host must send.
//
// - the train view loads with no console error and lists every backend, each available or with a reason;
// - the scripted mode trains 3 epochs at 32×32 on each backend that runs in this browser: the
//   result names the backend asked for, has 3 finite losses, and the loss falls;
// - a bad URL parameter gives { error } with one line, not a hang.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite, launch, noBrowser, removeSite, serve } from "./browser-harness.js";

const skip = noBrowser();
if (skip !== null) console.warn(`browser tests skipped: ${skip}`);

type Result = { backend: string; epochs: number; losses: number[]; psnr: number; samplesPerSecond: number } | { error: string };

describe.skipIf(skip !== null)("the playground in headless chromium", () => {
  let site: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let backends: { name: string; available: boolean; why: string }[] = [];

  beforeAll(async () => {
    site = await buildSite();
    server = await serve(site);
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) await removeSite(site);
  });

  /** A page that records console errors and uncaught exceptions. */
  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}${query}`);
    return { page, errors };
  }

  it("loads with no console error, cross-origin isolated, and lists every backend with a reason where it does not run", async () => {
    const { page, errors } = await open("");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // the worker answers with the probed list (each probe has a time limit)
    await page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
    // the built-in photograph is drawn as the source
    await page.waitForFunction(() => (document.getElementById("source") as HTMLCanvasElement).width > 32, null, { timeout: 30_000 });
    backends = await page.$$eval("#backends li", (items) =>
      items.map((li) => ({
        name: (li.querySelector("input") as HTMLInputElement).value,
        available: !(li.querySelector("input") as HTMLInputElement).disabled,
        why: li.querySelector(".why")?.textContent ?? "",
      })),
    );
    for (const b of backends) console.log(`  ${b.name}: ${b.available ? "runs" : "does not run"} — ${b.why}`);
    expect(backends.map((b) => b.name)).toEqual(expect.arrayContaining(["reference", "wasm", "gpujs-cpu"]));
    // reference (plain TypeScript) and wasm (served cross-origin isolated) run in every browser
    expect(backends.filter((b) => b.available).map((b) => b.name)).toEqual(expect.arrayContaining(["reference", "wasm"]));
    for (const b of backends.filter((x) => !x.available)) expect(b.why).toMatch(/^unavailable: \S/);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  /** Train through the scripted mode; the page's result. */
  async function scripted(query: string): Promise<{ result: Result; shown: string; errors: string[] }> {
    const { page, errors } = await open(`?${query}`);
    await page.waitForFunction(() => (window as unknown as { coordnetResult?: unknown }).coordnetResult !== undefined, null, { timeout: 60_000 });
    const result = (await page.evaluate(() => (window as unknown as { coordnetResult: unknown }).coordnetResult)) as Result;
    const shown = await page.locator("#coordnet-result").innerText();
    await page.close();
    return { result, shown, errors };
  }

  for (const name of ["reference", "wasm", "gpujs-wasm", "gpujs-cpu", "webgpu"]) {
    it(`scripted mode: ${name} trains 3 epochs at 32×32 and the loss falls (where it runs here)`, async (ctx) => {
      const status = backends.find((b) => b.name === name);
      if (status === undefined || !status.available) {
        console.warn(`  ${name} skipped: ${status?.why ?? "not listed"}`);
        ctx.skip();
        return;
      }
      const { result, shown, errors } = await scripted(`image=default&preset=relu-sigmoid&backend=${name}&epochs=3&size=32x32&seed=0&autorun=1`);
      expect(result).not.toHaveProperty("error");
      const r = result as Exclude<Result, { error: string }>;
      console.log(
        `  ${name}: losses ${r.losses.map((l) => l.toFixed(5)).join(" → ")}, PSNR ${r.psnr.toFixed(2)} dB, ${Math.round(r.samplesPerSecond)} samples/s (SwiftShader/CPU)`,
      );
      expect(r.backend).toBe(name);
      expect(r.epochs).toBe(3);
      expect(r.losses).toHaveLength(3);
      for (const l of r.losses) expect(Number.isFinite(l)).toBe(true);
      expect(r.losses[2]).toBeLessThan(r.losses[0]);
      expect(r.psnr).toBeGreaterThan(0);
      expect(r.samplesPerSecond).toBeGreaterThan(0);
      expect(JSON.parse(shown)).toEqual(result);
      expect(errors).toEqual([]);
    }, 90_000);
  }

  it("scripted mode: a bad parameter gives { error } in one line", async () => {
    const { result } = await scripted("image=default&size=32by32&autorun=1");
    expect(result).toEqual({ error: 'coordnet: size must be WxH, e.g. 32x32, got "32by32"' });
  }, 60_000);
});
