/**
 * The tutorials in `docs/` quote real code and real output, checked in so that they read
 * completely on GitHub (which renders no `{@includeCode}`), and checked by `test/docs.test.ts`
 * so that they never drift from the source.
 *
 * Two markers, each an HTML comment (invisible on GitHub and in typedoc) on the line before a
 * fenced block:
 *
 *     <!-- region: src/reference/dense.ts#denseForward -->
 *     ```ts
 *     …the lines between `// #region denseForward` and `// #endregion denseForward`, dedented…
 *     ```
 *
 *     <!-- output: examples/01-backprop-by-hand.ts#forward -->
 *     ```text
 *     …the section `--- forward ---` of what `tsx examples/01-backprop-by-hand.ts` prints…
 *     ```
 *
 * Paths are relative to the repository root. An output marker without `#section` quotes the whole
 * output. Run `npx tsx scripts/docs-snippets.ts --write` to rewrite every marked block from its
 * source after changing the code; without `--write` it lists the blocks that differ and exits 1.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One marked block in a markdown file. */
export interface Snippet {
  /** the markdown file */
  readonly doc: string;
  /** 1-based line of the marker */
  readonly line: number;
  /** `region` (code from a source file) or `output` (what an example prints) */
  readonly kind: "region" | "output";
  /** the file the block quotes, relative to the repository root */
  readonly file: string;
  /** the region name, or the output section (empty: the whole output) */
  readonly name: string;
  /** the block's text as checked in (no fences, no trailing newline) */
  readonly text: string;
  /** 0-based index of the first and one past the last content line in the markdown file */
  readonly start: number;
  readonly end: number;
}

const MARKER = /^<!--\s*(region|output):\s*([^#\s]+)(?:#(\S+))?\s*-->\s*$/;
const FENCE = /^(```+|~~~+)/;

/** Every marked block of a markdown file; a marker not followed by a fenced block throws. */
export function findSnippets(doc: string, markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const open = FENCE.exec(lines[i + 1] ?? "");
    if (!open) throw new Error(`${doc}:${i + 1}: marker '${lines[i]}' is not followed by a fenced code block`);
    let close = i + 2;
    while (close < lines.length && lines[close].trimEnd() !== open[1]) close++;
    if (close >= lines.length) throw new Error(`${doc}:${i + 2}: code block never closed`);
    out.push({
      doc,
      line: i + 1,
      kind: m[1] as "region" | "output",
      file: m[2],
      name: m[3] ?? "",
      text: lines.slice(i + 2, close).join("\n"),
      start: i + 2,
      end: close,
    });
    i = close;
  }
  return out;
}

/**
 * The lines between `// #region NAME` and `// #endregion NAME` (VS Code's markers, which typedoc's
 * `{@includeCode file#NAME}` reads too), without nested region markers, dedented by their common
 * indentation.
 */
export function extractRegion(source: string, name: string, file = "source"): string {
  const lines = source.split("\n");
  const isMarker = (line: string, word: string) => new RegExp(`^\\s*//\\s*#${word}\\s+${name}\\s*$`).test(line);
  const begin = lines.findIndex((l) => isMarker(l, "region"));
  if (begin < 0) throw new Error(`${file}: no '// #region ${name}'`);
  const end = lines.findIndex((l, k) => k > begin && isMarker(l, "endregion"));
  if (end < 0) throw new Error(`${file}: '// #region ${name}' has no '// #endregion ${name}'`);
  const body = lines.slice(begin + 1, end).filter((l) => !/^\s*\/\/\s*#(end)?region\b/.test(l));
  const indent = Math.min(...body.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return body.map((l) => l.slice(Math.min(indent, l.length)).trimEnd()).join("\n");
}

/**
 * One section of an example's output: from the line `--- NAME ---` up to the next such line
 * (header included, trailing blank lines dropped). An empty name gives the whole output.
 */
export function extractSection(output: string, name: string, file = "example"): string {
  const lines = output.replace(/\n+$/, "").split("\n");
  if (name === "") return lines.join("\n");
  const header = /^--- (\S+) ---$/;
  const begin = lines.findIndex((l) => header.exec(l)?.[1] === name);
  if (begin < 0) throw new Error(`${file}: its output has no section '--- ${name} ---'`);
  let end = begin + 1;
  while (end < lines.length && !header.test(lines[end])) end++;
  while (end > begin + 1 && lines[end - 1].trim() === "") end--;
  return lines.slice(begin, end).join("\n");
}

/** What `tsx FILE` prints, run from the repository root (cached per file). */
const outputs = new Map<string, string>();
export function exampleOutput(root: string, file: string): string {
  let out = outputs.get(file);
  if (out === undefined) {
    out = execFileSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), file], { cwd: root, encoding: "utf8" });
    outputs.set(file, out);
  }
  return out;
}

/** What a marked block should contain, from its source. */
export function expectedText(root: string, snippet: Snippet): string {
  if (snippet.kind === "region") return extractRegion(readFileSync(join(root, snippet.file), "utf8"), snippet.name, snippet.file);
  return extractSection(exampleOutput(root, snippet.file), snippet.name, snippet.file);
}

/** Rewrite every marked block of a markdown file from its source; returns the new text. */
export function rewrite(root: string, doc: string, markdown: string): string {
  const lines = markdown.split("\n");
  // from the last block up, so that earlier line numbers stay valid
  for (const s of findSnippets(doc, markdown).reverse()) lines.splice(s.start, s.end - s.start, ...expectedText(root, s).split("\n"));
  return lines.join("\n");
}

const DOCS = ["docs/backprop.md", "docs/encodings.md"];

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(import.meta.dirname, "..");
  const write = process.argv.includes("--write");
  let stale = 0;
  for (const doc of DOCS) {
    const markdown = readFileSync(join(root, doc), "utf8");
    if (write) {
      const next = rewrite(root, doc, markdown);
      if (next !== markdown) writeFileSync(join(root, doc), next);
      console.log(`${doc}: ${next === markdown ? "up to date" : "rewritten"}`);
    } else {
      for (const s of findSnippets(doc, markdown)) {
        if (s.text !== expectedText(root, s)) {
          stale++;
          console.log(`${doc}:${s.line}: differs from ${s.file}${s.name ? `#${s.name}` : ""}`);
        }
      }
    }
  }
  if (stale > 0) {
    console.log(`${stale} block(s) differ; run: npx tsx scripts/docs-snippets.ts --write`);
    process.exit(1);
  }
}
