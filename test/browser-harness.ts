// What the browser tests share: build the playground into a temporary folder with Vite, serve it
// with the cross-origin-isolation headers from a tiny HTTP server, and drive Debian's chromium
// (headless, WebGL2 and WebGPU on SwiftShader) with playwright-core.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

declare module "vitest" {
  export interface ProvidedContext {
    /** where this test run's Chromium suites share one built site (test/global-setup.ts) */
    siteDir: string;
  }
}

/** Debian's chromium; CHROMIUM_PATH to use another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null. */
export function noBrowser(): string | null {
  return existsSync(CHROMIUM) ? null : `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".json": "application/json",
};

/** The site, built into a fresh temporary folder (the same Vite config as npm run build:site). */
export async function buildSite(): Promise<string> {
  const { build } = await import("vite");
  const outDir = await mkdtemp(join(tmpdir(), "coordnet-site-"));
  await build({ configFile: "web/vite.config.ts", logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return outDir;
}

/**
 * The site for this test run, built once and shared by every Chromium suite: the global set-up
 * (test/global-setup.ts) names a folder for the run and removes it at the end; the first suite to
 * ask builds the site there (under a lock, so that suites in parallel workers wait for one build
 * rather than start their own), the others reuse it. Suites only read it. Built once per vitest
 * process: in watch mode (`npx vitest`) a re-run after editing web/ tests the first build — restart
 * it, or use `npm test` (`vitest run`).
 */
export async function sharedSite(): Promise<string> {
  // imported here, not above: scripts/screenshots.ts uses this file outside a test run
  const { inject } = await import("vitest");
  const dir = inject("siteDir");
  const lock = `${dir}.lock`;
  const started = Date.now();
  for (;;) {
    if (existsSync(join(dir, "index.html"))) return dir;
    try {
      await mkdir(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // under the suites' 150 s set-up limit, so that this message, not a bare hook timeout, says why
      if (Date.now() - started > 120_000) throw new Error(`no site after 120 s of waiting for another suite's build (${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!existsSync(join(dir, "index.html"))) await rename(await buildSite(), dir);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** Serve `root` on localhost with COOP/COEP, as a static host for the playground must. */
export async function serve(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Headless chromium with WebGL2 on SwiftShader, and WebGPU on SwiftShader's Vulkan where it answers. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--enable-unsafe-webgpu",
      "--enable-features=Vulkan",
      "--use-vulkan=swiftshader",
      "--use-webgpu-adapter=swiftshader",
      "--no-sandbox",
    ],
  });
}

/** A new page at `url` that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}
