import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

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
