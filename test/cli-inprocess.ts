/**
 * Run the command line's entry (`main` from dist/) in this process, capturing what it prints:
 * much faster than a child process, so fuzz tests can afford hundreds of runs.
 */

import { vi } from "vitest";
import { main } from "../dist/cli/main.js";

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(...args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const text = (a: unknown[]) => `${a.map(String).join(" ")}\n`;
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    stdout += text(a);
  });
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => {
    stderr += text(a);
  });
  const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    const code = await main(["node", "coordnet", ...args]);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    out.mockRestore();
  }
}

/** Bad input: exit 2 and exactly one line on stderr, starting `coordnet:`, no stack trace. */
export function isOneLineRefusal(o: Outcome): boolean {
  return o.code === 2 && /^coordnet: [^\n]+\n$/.test(o.stderr);
}
