// The README's playground screenshots (npx tsx scripts/screenshots.ts [train] [stepper] [lesson] [phone] [sweep];
// all when none is named): `train` has headless chromium, 1300 px wide, train the built-in
// photograph on wasm in the train view (positional, 64×64, 40 epochs, batch 256, every other pixel
// held out: train and test PSNR and the spectrum under the loss chart), render the zoom at 4×, then
// run the verify view (wasm against the reference), and writes docs/playground-train.png and
// docs/playground-verify.png; `stepper` opens the backprop stepper (stepper.html) at layer 1's
// denseBackward of the first training step and writes docs/playground-stepper.png; `lesson` trains
// ReLU against positional encoding side by side (64×64, 40 epochs, wasm) at 1300 px and writes
// docs/playground-lesson.png; `phone` does the same at 390 px and writes the page's first screens
// as docs/playground-phone.png; `sweep` sweeps the Gaussian features' σ (10 small runs on wasm)
// and writes docs/playground-sweep.png.
import type { Browser } from "playwright-core";
import { buildSite, launch, serve } from "../test/browser-harness.js";

const asked = process.argv.slice(2);
const wanted = (name: string) => asked.length === 0 || asked.includes(name);

async function train(browser: Browser, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await page.goto(url);
  await page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
  await page.selectOption("#preset", "positional");
  await page.selectOption("#size", "64");
  await page.fill("#epochs", "40");
  await page.fill("#batch", "256");
  await page.selectOption("#holdout", "every-other");
  await page.check("#backends input[value=wasm]");
  await page.click("#train");
  await page.waitForSelector("#downloads a", { timeout: 300_000 });
  await page.click("#zoom-run");
  await page.waitForSelector("#zoom-status:has-text('4×:')", { timeout: 120_000 });
  await page.locator(".flow").first().screenshot({ path: "docs/playground-train.png" });
  await page.fill("#verify-batch", "256");
  await page.selectOption("#verify-a", "reference");
  await page.selectOption("#verify-b", "wasm");
  await page.click("#verify-run");
  await page.waitForSelector("#verify-table tr:nth-child(3)", { timeout: 120_000 });
  await page.setViewportSize({ width: 1300, height: 700 });
  await page.locator("#verify").screenshot({ path: "docs/playground-verify.png" });
}

async function stepper(browser: Browser, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  // 1300 px wide; the default 2→3→3→1 at layer 1's denseBackward of the first training step (call 14: the
  // initialisation, the input copy, 6 forward calls, 2 MSE calls, the da[3] copy, layer 2's two
  // backward calls and layer 1's activation backward come before it), the readout on weight W[1][6]
  await page.goto(`${url}stepper.html?step=14&watch=e1-2-0`);
  await page.waitForSelector("#st-readout .value");
  await page.screenshot({ path: "docs/playground-stepper.png", fullPage: true });
}

/** The first view's lesson, trained: 64×64, 40 epochs on wasm, `width` px wide. */
async function lesson(browser: Browser, url: string, width: number, path: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${url}?size=64x64&lesson-epochs=40&backend=wasm`);
  await page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
  await page.click("#lesson-run");
  await page.waitForSelector("#lesson-status:has-text('done')", { timeout: 600_000 });
  if (width >= 1000) await page.locator("#lesson").screenshot({ path });
  else await page.screenshot({ path, clip: { x: 0, y: 0, width, height: 2400 }, fullPage: true });
}

/** The σ sweep, all ten values, on wasm. */
async function sweep(browser: Browser, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await page.goto(`${url}?backend=wasm&sweep-kind=gaussian`);
  await page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
  await page.click("#sweep-all");
  await page.waitForSelector("#sweep-status:has-text('done')", { timeout: 600_000 });
  await page.locator("#panel-sweep").screenshot({ path: "docs/playground-sweep.png" });
}

const site = await buildSite();
const server = await serve(site);
const browser = await launch();
try {
  if (wanted("train")) await train(browser, server.url);
  if (wanted("stepper")) await stepper(browser, server.url);
  if (wanted("lesson")) await lesson(browser, server.url, 1300, "docs/playground-lesson.png");
  if (wanted("sweep")) await sweep(browser, server.url);
  if (wanted("phone")) await lesson(browser, server.url, 390, "docs/playground-phone.png");
} finally {
  await browser.close();
  await server.close();
}
