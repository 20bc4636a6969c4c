import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodePNG } from "../dist/image/png.js";
import { loadModel } from "../dist/node.js";

// The README's library snippet, run verbatim: it must work as written, and the model it saves must
// render with the command line to the image the library renders.
const readme = readFileSync("README.md", "utf8");
const section = readme.slice(readme.indexOf("## As a library"));
const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
const work = mkdtempSync(join(tmpdir(), "coordnet-readme-"));
// inside the package, so that `import … from "coordnet"` resolves to this package, as for a user
const scratch = resolve(".tmp");

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the README's library snippet", () => {
  it("runs verbatim, and the model it saves renders with coordnet render", async () => {
    expect(snippet).toMatch(/await fit\(/);
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, "readme-snippet.ts");
    writeFileSync(file, snippet);
    const tsx = resolve("node_modules/tsx/dist/cli.mjs");
    const r = spawnSync(process.execPath, [tsx, file], { cwd: work, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(21); // 20 epochs, then the summary
    const [psnr, same] = lines[20].split(" ");
    expect(Number(psnr)).toBeGreaterThan(15);
    expect(same).toBe("true");
    const big = decodePNG(readFileSync(join(work, "big.png")));
    expect([big.width, big.height]).toEqual([512, 512]);

    const out = join(work, "cli.png");
    const cli = spawnSync(process.execPath, [resolve("bin/coordnet.js"), "render", join(work, "model.safetensors"), "--size", "48x32", "--out", out], {
      encoding: "utf8",
    });
    expect(cli.status).toBe(0);
    const byCli = decodePNG(readFileSync(out));
    const byLibrary = await loadModel(join(work, "model.safetensors")).render(48, 32);
    for (let p = 0; p < 48 * 32; p++)
      for (let c = 0; c < 3; c++) expect(Math.abs(byCli.data[p * 3 + c] * 255 - byLibrary.data[p * 4 + c])).toBeLessThanOrEqual(1);
  }, 600_000);
});
