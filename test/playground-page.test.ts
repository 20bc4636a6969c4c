// The playground page as designed (issue #21), in Debian's chromium through playwright-core:
// - no two panels' boxes overlap at 360, 1024, 1300 and 1920 px;
// - axe-core finds no serious or critical accessibility violation;
// - the lesson runs from the first view (its button, nothing else set), and each hidden unit's
//   thumbnail equals, within 1/255, the reference forward's activation for the weights the page
//   drew it from (read back from the page, recomputed here with dist/reference);
// - holding pixels out shows train and test PSNR (recomputed here from the page's predictions),
//   and the spectrum heatmap fills in with the library's bandErrors for the same predictions;
// - a shared URL restores every control, and a changed control rewrites the URL.
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { bandErrors } from "../dist/analysis/spectrum.js";
import type { Config } from "../dist/config.js";
import { createEncoder, encodeImageGrid } from "../dist/encoding/index.js";
import { holdoutSplit } from "../dist/holdout.js";
import { createTape, type MLP, mlpForward } from "../dist/reference/index.js";
import { noBrowser, openPage } from "./browser-harness.js";
import { siteInChromium } from "./browser-site.js";

const skip = noBrowser();

describe.skipIf(skip !== null)("the playground page's design, accessibility, unit pictures and URL", () => {
  const lab = siteInChromium();

  /** The page as a user opens it, once the probes have answered and the photograph is drawn. */
  async function loaded(query = "", width = 1300): Promise<{ page: Page; errors: string[] }> {
    const opened = await openPage(lab.browser, `${lab.url}${query}`);
    await opened.page.setViewportSize({ width, height: 900 });
    await opened.page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
    await opened.page.waitForFunction('document.getElementById("source").width > 32', null, { timeout: 30_000 });
    return opened;
  }

  it.concurrent("no two panels overlap at 360, 1024, 1300 and 1920 px, and the page is no wider than the window", async () => {
    const { page, errors } = await loaded();
    for (const width of [360, 1024, 1300, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      const boxes = await page.$$eval(".panel", (panels) =>
        panels.map((p) => {
          const r = p.getBoundingClientRect();
          return { id: p.id, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        }),
      );
      expect(boxes.length).toBeGreaterThanOrEqual(8);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
          expect(overlap, `${a.id} and ${b.id} overlap at ${width} px: ${JSON.stringify([a, b])}`).toBe(false);
        }
      // nothing pushes the page sideways (an unbreakable token once did)
      const scrollWidth = await page.evaluate("document.documentElement.scrollWidth");
      expect(scrollWidth, `at ${width} px`).toBeLessThanOrEqual(width);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  /** axe-core's serious and critical violations on the page as it stands. */
  async function axeSerious(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
    await page.addScriptTag({ content: readFileSync("node_modules/axe-core/axe.min.js", "utf8") });
    const violations = (await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
    })) as { id: string; impact: string; nodes: string[] }[];
    for (const v of violations) console.log(`  axe: ${v.impact} ${v.id} ${v.nodes.join(", ")}`);
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  }

  it.concurrent("axe-core finds no serious or critical violation on the first view", async () => {
    const { page } = await loaded();
    expect(await axeSerious(page)).toEqual([]);
    await page.close();
  }, 120_000);

  it.concurrent("the lesson runs from the first view; every unit's thumbnail is the reference's activation within 1/255", async () => {
    // 2 epochs at 32×32 keep it short; the first view's button, nothing else set
    const { page, errors } = await loaded("?lesson-epochs=2&size=32x32");
    await page.$eval("#lesson-run", (button) => (button as unknown as { click(): void }).click());
    await page.waitForFunction('document.getElementById("lesson-status").textContent.startsWith("done on ")', null, { timeout: 120_000 });
    for (const key of ["relu", "positional"]) {
      const id = `lesson-${key}-net`;
      const snapshot = (await page.evaluate((which) => (globalThis as unknown as { coordnetNeurons: Record<string, unknown> }).coordnetNeurons[which], id)) as {
        config: Config;
        epoch: number;
        weights: { weight: number[]; bias: number[] }[];
        matrix: number[] | null;
      };
      expect(snapshot.epoch).toBe(2);
      const thumbs = (await page.$$eval(`#${id} canvas[data-layer]`, (canvases) =>
        canvases.map((c) => {
          const canvas = c as unknown as {
            dataset: Record<string, string>;
            width: number;
            height: number;
            getContext(k: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
          };
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          return {
            layer: Number(canvas.dataset.layer),
            unit: Number(canvas.dataset.unit),
            side: canvas.width,
            red: Array.from(data.filter((_: number, k: number) => k % 4 === 0)),
          };
        }),
      )) as { layer: number; unit: number; side: number; red: number[] }[];
      // inputs (up to 8) and 8 units of each of the 4 hidden layers
      expect(thumbs.length).toBe(Math.min(8, key === "relu" ? 2 : 20) + 4 * 8);
      // the reference's activations for the same weights, on the same grid
      const { config } = snapshot;
      const side = thumbs[0].side;
      const encoder = createEncoder(config.encoding, config.training.seed, snapshot.matrix === null ? undefined : Float32Array.from(snapshot.matrix));
      const x = encodeImageGrid(encoder, side, side) as Float32Array;
      const layers = snapshot.weights.map((w) => ({
        inputs: w.weight.length / w.bias.length,
        outputs: w.bias.length,
        weight: Float32Array.from(w.weight),
        bias: Float32Array.from(w.bias),
      }));
      const { width, depth, activation, outputActivation } = config.network;
      const mlp: MLP = { spec: { inputs: layers[0].inputs, outputs: 3, width, depth, activation, outputActivation }, dtype: "float32", layers };
      const tape = createTape(mlp, side * side);
      mlpForward(mlp, tape, x, side * side);
      let worst = 0;
      for (const t of thumbs) {
        const values = tape.a[t.layer] as Float32Array;
        const units = values.length / (side * side);
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (let p = 0; p < side * side; p++) {
          lo = Math.min(lo, values[p * units + t.unit]);
          hi = Math.max(hi, values[p * units + t.unit]);
        }
        for (let p = 0; p < side * side; p++) {
          const expected = hi > lo ? (values[p * units + t.unit] - lo) / (hi - lo) : 0;
          worst = Math.max(worst, Math.abs(t.red[p] / 255 - expected));
        }
      }
      console.log(`  ${key}: ${thumbs.length} thumbnails, worst |thumbnail − reference| ${(worst * 255).toFixed(3)}/255`);
      // 8-bit rounding of the same float32 values: at most half a step, and 1/255 is the bound asked
      expect(worst).toBeLessThanOrEqual(1 / 255);
    }
    // the diagrams' unit buttons, once drawn, pass the same scan
    expect(await axeSerious(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it.concurrent("held-out pixels: train and test PSNR as it trains; the spectrum heatmap fills in with bandErrors' values", async () => {
    // 6 epochs at 32×32 (256 training pixels with every other held out): a measure at epoch 0 and after each epoch
    const epochs = 6;
    const { page, errors } = await loaded(`?size=32x32&epochs=${epochs}&holdout=every-other`);
    expect(await page.$eval("#holdout", (el) => (el as unknown as { value: string }).value)).toBe("every-other");
    await page.focus("#train");
    await page.keyboard.press("Enter");
    await page.waitForFunction('document.getElementById("status").textContent.startsWith("done: ")', null, { timeout: 120_000 });
    const got = (await page.evaluate(() => {
      type Lab = {
        width: number;
        height: number;
        target: Float32Array;
        measures: { epoch: number; trainPsnr: number; testPsnr: number | null; bands: number[] | null; prediction: Float32Array | null }[];
        cellRect(i: number, band: number, bands: number): { x: number; y: number; w: number; h: number };
      };
      const lab = (globalThis as unknown as { coordnetLab: Lab }).coordnetLab;
      const doc = globalThis as unknown as { document: { getElementById(id: string): { textContent: string; getContext(k: "2d"): unknown } } };
      const ctx = doc.document.getElementById("spectrum").getContext("2d") as {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
      return {
        width: lab.width,
        height: lab.height,
        target: Array.from(lab.target),
        text: doc.document.getElementById("psnr-split").textContent,
        status: doc.document.getElementById("status").textContent,
        measures: lab.measures.map((m, i) => ({
          epoch: m.epoch,
          trainPsnr: m.trainPsnr,
          testPsnr: m.testPsnr,
          bands: m.bands,
          prediction: Array.from(m.prediction ?? []),
          // each cell's centre pixel on the canvas
          pixels: (m.bands ?? []).map((_, b) => {
            const r = lab.cellRect(i, b, (m.bands ?? []).length);
            return Array.from(ctx.getImageData(r.x + Math.floor(r.w / 2), r.y + Math.floor(r.h / 2), 1, 1).data);
          }),
        })),
      };
    })) as {
      width: number;
      height: number;
      target: number[];
      text: string;
      status: string;
      measures: { epoch: number; trainPsnr: number; testPsnr: number; bands: number[]; prediction: number[]; pixels: number[][] }[];
    };
    expect([got.width, got.height]).toEqual([32, 32]);
    // the initial network and one measure after each epoch, the heatmap's columns
    expect(got.measures.map((m) => m.epoch)).toEqual(Array.from({ length: epochs + 1 }, (_, e) => e));
    const { train, test } = holdoutSplit("every-other", 32, 32, 0);
    const psnr = (p: number[], pixels: Uint32Array) => {
      let sum = 0;
      for (const k of pixels) for (let c = 0; c < 3; c++) sum += (p[k * 3 + c] - got.target[k * 3 + c]) ** 2;
      return 10 * Math.log10((3 * pixels.length) / sum);
    };
    let worst = 0;
    for (const m of got.measures) {
      // PSNR recomputed here from the page's predictions and the library's split
      expect(Math.abs(m.testPsnr - psnr(m.prediction, test)), `test PSNR at epoch ${m.epoch}`).toBeLessThan(1e-9);
      expect(Math.abs(m.trainPsnr - psnr(m.prediction, train)), `train PSNR at epoch ${m.epoch}`).toBeLessThan(1e-9);
      // the heatmap's column is the analysis function's for the same prediction: the same float64
      // arithmetic on the same float32 inputs in Node's V8 and Chromium's (both fdlibm's sin/cos);
      // 1e-9 leaves room for a last-bit difference in a twiddle factor, over sums of 1024 terms (~1e-13)
      const expected = bandErrors(Float32Array.from(m.prediction), Float32Array.from(got.target), 32, 32);
      expect(m.bands.length).toBe(8);
      for (const [b, v] of m.bands.entries()) worst = Math.max(worst, Math.abs(v - expected[b]));
      // every cell drawn, opaque, in its value's colour (white 0 … the warm colour at 1 or more)
      for (const [b, px] of m.pixels.entries()) {
        const v = Math.min(1, Math.max(0, m.bands[b]));
        const color = [255 + (0xb3 - 255) * v, 255 + (0x54 - 255) * v, 255 + (0x0c - 255) * v].map(Math.round);
        expect(px, `cell (epoch ${m.epoch}, band ${b})`).toEqual([...color, 255]);
      }
    }
    console.log(`  spectrum: ${got.measures.length} columns × 8 bands, worst |page − bandErrors| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-9);
    // the lowest band is learnt faster than the highest (spectral bias, or the encoding's help)
    const last = got.measures[epochs];
    expect(last.bands[0]).toBeLessThan(got.measures[0].bands[0]);
    // the shown test PSNR is the last measure's, to the 0.01 dB it is written with
    const shown = /test PSNR (-?[\d.]+) dB/.exec(got.text);
    expect(shown, got.text).not.toBeNull();
    expect(Math.abs(Number(shown?.[1]) - psnr(last.prediction, test))).toBeLessThanOrEqual(0.01);
    // and the status line at the end gives train and test PSNR as well (it gave every pixel's), the
    // last measure's to the 0.01 dB they are written with (rounding moves them by at most 0.005)
    const done = new RegExp(`^done: ${epochs} epochs on \\S+, train PSNR (-?[\\d.]+) dB · test PSNR (-?[\\d.]+) dB \\(held-out pixels\\)$`).exec(got.status);
    expect(done, got.status).not.toBeNull();
    expect(Math.abs(Number(done?.[1]) - psnr(last.prediction, train))).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(Number(done?.[2]) - psnr(last.prediction, test))).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(await axeSerious(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it.concurrent("the σ slider, moved with the keyboard, retrains small and plots train and test PSNR against σ", async () => {
    const { page, errors } = await loaded("?sweep-kind=gaussian&sweep-sigma=4");
    await page.focus("#sweep-sigma");
    await page.keyboard.press("ArrowRight");
    expect(await page.textContent("#sweep-sigma-value")).toBe("5");
    expect(new URL(page.url()).searchParams.get("sweep-sigma")).toBe("5");
    await page.waitForFunction("globalThis.coordnetSweep.points.length === 1", null, { timeout: 120_000 });
    const [point] = (await page.evaluate("globalThis.coordnetSweep.points")) as { kind: string; value: number; trainPsnr: number; testPsnr: number }[];
    expect([point.kind, point.value]).toEqual(["gaussian", 5]);
    // a real run: well above a grey image's PSNR, and the held-out pixels no better than the trained ones
    expect(point.testPsnr).toBeGreaterThan(12);
    expect(point.trainPsnr).toBeGreaterThan(point.testPsnr);
    expect(await page.textContent("#sweep-summary")).toContain(`test PSNR peaks at σ = 5 (${point.testPsnr.toFixed(2)} dB`);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it.concurrent("a shared URL restores every control, and changing one rewrites the URL", async () => {
    const shared: Record<string, string> = {
      size: "32x32",
      preset: "",
      range: "11",
      encoding: "gaussian",
      frequencies: "7",
      sigma: "4.5",
      activation: "gelu",
      width: "48",
      depth: "3",
      lr: "0.002",
      batch: "512",
      epochs: "9",
      seed: "5",
      holdout: "every-other",
      "lesson-epochs": "12",
      zoom: "8",
      "sweep-kind": "positional",
      "sweep-sigma": "20",
      "sweep-l": "7",
      "verify-a": "wasm",
      "verify-b": "reference",
      "verify-batch": "64",
      "verify-steps": "2",
      backend: "reference",
    };
    const ids: Record<string, string> = { size: "size", zoom: "zoom-factor" };
    const { page, errors } = await loaded(`?${new URLSearchParams(shared)}`);
    for (const [name, value] of Object.entries(shared)) {
      if (name === "backend") continue;
      const got = await page.$eval(`#${ids[name] ?? name}`, (el) => (el as unknown as { value: string }).value);
      expect(got, name).toBe(name === "size" ? "32" : value);
    }
    // the sweep shows the slider of its kind, with its number
    expect(await page.$eval("#sweep-l-label", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(false);
    expect(await page.$eval("#sweep-sigma-label", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);
    expect(await page.textContent("#sweep-l-value")).toBe("7");
    expect([await page.isVisible("#sweep-l"), await page.isVisible("#sweep-sigma")]).toEqual([true, false]);
    expect(await page.$eval("#backends input:checked", (el) => (el as unknown as { value: string }).value)).toBe("reference");
    // the page writes back what it restored
    const written = new URLSearchParams(new URL(page.url()).search);
    for (const [name, value] of Object.entries(shared)) expect(written.get(name), name).toBe(value);
    await page.fill("#width", "64");
    await page.selectOption("#activation", "tanh");
    const changed = new URLSearchParams(new URL(page.url()).search);
    expect([changed.get("width"), changed.get("activation")]).toEqual(["64", "tanh"]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
