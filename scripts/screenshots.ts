// The README's playground screenshots (npx tsx scripts/screenshots.ts): headless chromium trains
// the built-in photograph on wasm in the train view, then runs the verify view (wasm against the
// reference), and writes docs/playground-train.png and docs/playground-verify.png.
import { buildSite, launch, serve } from "../test/browser-harness.js";

const site = await buildSite();
const server = await serve(site);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector("#backends input[type=radio]", { timeout: 60_000 });
  await page.selectOption("#preset", "positional");
  await page.selectOption("#size", "128");
  await page.fill("#epochs", "40");
  await page.check("#backends input[value=wasm]");
  await page.click("#train");
  await page.waitForSelector("#downloads a", { timeout: 300_000 });
  await page.locator("main").screenshot({ path: "docs/playground-train.png" });
  await page.fill("#verify-batch", "256");
  await page.selectOption("#verify-a", "reference");
  await page.selectOption("#verify-b", "wasm");
  await page.click("#verify-run");
  await page.waitForSelector("#verify-table tr:nth-child(3)", { timeout: 120_000 });
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.locator("#verify").screenshot({ path: "docs/playground-verify.png" });
} finally {
  await browser.close();
  await server.close();
}
