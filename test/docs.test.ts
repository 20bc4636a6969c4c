import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { expectedText, extractRegion, findSnippets } from "../scripts/docs-snippets.js";

// The public API — what the package's entry points export — carries TSDoc with an @example on
// every function, class and constant (STYLE.md §8); internals are not exported from an entry point
// and need none. typedoc's own validation (npm run docs) checks that every export and member is
// documented at all.
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, string | { default: string }> };
const ENTRY_POINTS = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === "object")
  .map(([name, target]) => ({ name, file: (target as { default: string }).default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts") }));

function publicWithoutExample(): string[] {
  const program = ts.createProgram(
    ENTRY_POINTS.map((e) => e.file),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, types: ["node"] },
  );
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  for (const entry of ENTRY_POINTS) {
    const source = program.getSourceFile(entry.file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`entry point ${entry.file} not found`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const decl of symbol.declarations ?? []) {
        const node = ts.isVariableDeclaration(decl) ? decl : ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) ? decl : null;
        if (node === null) continue;
        if (!ts.getJSDocTags(node).some((tag) => tag.tagName.text === "example")) missing.add(`${decl.getSourceFile().fileName}: ${symbol.name}`);
      }
    }
  }
  return [...missing].sort();
}

describe("API documentation", () => {
  it("lists the package's entry points", () => {
    expect(ENTRY_POINTS.map((e) => e.name)).toEqual([".", "./reference", "./encoding", "./backends", "./node"]);
  });

  it("every exported function, class and constant of an entry point has an @example", () => {
    expect(publicWithoutExample()).toEqual([]);
  });
});

// The tutorials read completely on GitHub: every code block is checked in, marked with the source
// region or example output it quotes (scripts/docs-snippets.ts), and must equal it.
describe("tutorials", () => {
  const docs = readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f));

  it.each(docs)("%s has a closed YAML front matter with a title and no {@includeCode}", (doc) => {
    const text = readFileSync(doc, "utf8");
    expect(text).toMatch(/^---\ntitle: \S.*\n---\n/);
    expect(text).not.toContain("{@includeCode");
  });

  it.each(docs)("%s: every TypeScript block is marked with what it quotes", (doc) => {
    const text = readFileSync(doc, "utf8");
    const marked = new Set(findSnippets(doc, text).map((s) => s.start - 1));
    const lines = text.split("\n");
    const unmarked = lines.flatMap((l, k) => (/^```(ts|typescript|js)\b/.test(l) && !marked.has(k) ? [`${doc}:${k + 1}`] : []));
    expect(unmarked).toEqual([]);
  });

  const snippets = docs.flatMap((doc) => findSnippets(doc, readFileSync(doc, "utf8")));

  it("quote the reference", () => {
    expect(snippets.filter((s) => s.kind === "region").length).toBeGreaterThanOrEqual(10);
  });

  it.each(snippets.map((s) => [`${s.doc}:${s.line} ${s.kind} ${s.file}${s.name ? `#${s.name}` : ""}`, s] as const))(
    "%s equals its source (npx tsx scripts/docs-snippets.ts --write updates it)",
    (_label, snippet) => {
      expect(snippet.text).toBe(expectedText(".", snippet));
    },
  );

  it("the check notices a changed line", () => {
    const source = ["x;", "  // #region r", "  const a = 1;", "  // #endregion r"].join("\n");
    expect(extractRegion(source, "r")).toBe("const a = 1;");
    const doc = ["<!-- region: f.ts#r -->", "```ts", "const a = 2;", "```"].join("\n");
    const [snippet] = findSnippets("doc.md", doc);
    expect(snippet.text).not.toBe(extractRegion(source, "r"));
    expect(() => extractRegion(source, "missing")).toThrow(/no '\/\/ #region missing'/);
  });
});
