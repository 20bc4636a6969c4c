// The set-up every Chromium suite shares: the site built once for the test run (sharedSite), served
// with COOP/COEP, and one browser; server and browser closed after. Call inside describe().
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch, serve, sharedSite } from "./browser-harness.js";

export function siteInChromium(): { readonly url: string; readonly browser: Browser } {
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await serve(await sharedSite());
    browser = await launch();
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
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
