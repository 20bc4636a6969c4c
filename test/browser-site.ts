// The set-up every Chromium suite shares: the site built once for the describe block, served with
// COOP/COEP, and one browser; all torn down after. Call inside describe().
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { buildSite, launch, removeSite, serve } from "./browser-harness.js";

export function siteInChromium(): { readonly url: string; readonly browser: Browser } {
  let site: string | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let browser: Browser | undefined;
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
  return {
    get url() {
      return (server as Awaited<ReturnType<typeof serve>>).url;
    },
    get browser() {
      return browser as Browser;
    },
  };
}
