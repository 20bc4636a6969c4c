import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { expectedText, extractRegion, findSnippets } from "../scripts/docs-snippets.js";

// Every exported function, class and constant carries TSDoc with an @example (STYLE.md §8);
// typedoc's own validation (npm run docs) checks that every export and member is documented.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function exportedWithoutExample(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const missing: string[] = [];
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    let name: string | undefined;
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) name = statement.name?.text;
    else if (ts.isVariableStatement(statement)) name = statement.declarationList.declarations.map((d) => d.name.getText(source)).join(", ");
    else continue;
    const node = ts.isVariableStatement(statement) ? statement.declarationList.declarations[0] : statement;
    const hasExample = ts.getJSDocTags(node).some((tag) => tag.tagName.text === "example");
    if (!hasExample) missing.push(`${file}: ${name}`);
  }
  return missing;
}

describe("API documentation", () => {
  it("every exported function, class and constant has an @example", () => {
    const missing = sourceFiles("src").flatMap(exportedWithoutExample);
    expect(missing).toEqual([]);
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
