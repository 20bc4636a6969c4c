import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { referenceBackend } from "../dist/backends/reference.js";
import { registerBackend } from "../dist/backends/registry.js";
import { runPaper, snapshotEpochs } from "../dist/experiments/paper.js";
import { decodePNG } from "../dist/image/png.js";
import { patternPNG } from "./png-helpers.js";

registerBackend(referenceBackend);
const image = decodePNG(patternPNG(16, 16));
const base = { image, imageSource: "pattern", epochs: 3, backend: "reference", version: "test", presets: ["relu-sigmoid", "gelu", "siren"] };

it("scales the study's snapshot epochs (10, 50, 100, 200 of 200) to shorter runs", () => {
  expect(snapshotEpochs(200)).toEqual([10, 50, 100, 200]);
  expect(snapshotEpochs(20)).toEqual([1, 5, 10, 20]);
  expect(snapshotEpochs(2)).toEqual([1, 2]);
});

it("an interrupted paper run continues where it stopped and ends like an uninterrupted one", async () => {
  const straight = await runPaper({ ...base, outDir: join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "a") });
  const dir = join(mkdtempSync(join(tmpdir(), "coordnet-paper-")), "b");
  let looks = 0;
  const first = await runPaper({ ...base, outDir: dir, shouldStop: () => ++looks >= 6 });
  expect(first.status).toBe("interrupted");
  expect(existsSync(join(dir, "report.html"))).toBe(false);
  const actions: string[] = [];
  const second = await runPaper({ ...base, outDir: dir, onPreset: (p, _i, _n, action) => actions.push(`${p.name}:${action}`) });
  expect(second.status).toBe("complete");
  expect(actions).toContain("relu-sigmoid:skip");
  expect(actions.some((a) => a.endsWith(":resume"))).toBe(true);
  expect(second.rows.map((r) => r.record.history.map((h) => h.loss))).toEqual(straight.rows.map((r) => r.record.history.map((h) => h.loss)));
  expect(existsSync(join(dir, "report.html"))).toBe(true);
});
