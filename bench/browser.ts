// Samples per second of each backend in headless chromium (npx tsx bench/browser.ts [WxH] [epochs]):
// the playground's scripted mode, one backend after another in one browser, the first epoch
// (kernel compiles, warm-up) excluded by the page. WebGL2 and WebGPU run on SwiftShader here: a CPU.
import { buildSite, launch, serve } from "../test/browser-harness.js";

const size = process.argv[2] ?? "32x32";
const epochs = Number(process.argv[3] ?? 4);
const site = await buildSite();
const server = await serve(site);
const browser = await launch();
try {
  for (const backend of ["reference", "wasm", "webgpu", "gpujs-webgl2", "gpujs-webgpu", "gpujs-wasm", "gpujs-cpu"]) {
    const page = await browser.newPage();
    await page.goto(`${server.url}?image=default&preset=relu-sigmoid&backend=${backend}&epochs=${epochs}&size=${size}&seed=0&autorun=1`);
    await page.waitForFunction("window.coordnetResult !== undefined", null, { timeout: 600_000 });
    const r = (await page.evaluate("window.coordnetResult")) as { error?: string; samplesPerSecond?: number; psnr?: number };
    console.log(r.error ? `${backend}: ${r.error}` : `${backend}: ${Math.round(r.samplesPerSecond ?? 0)} samples/s (${size}, epochs 2–${epochs})`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
