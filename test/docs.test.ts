import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

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
