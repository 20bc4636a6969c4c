/**
 * @module
 * The `coordnet` command line.
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { backendNames, registerBackend, requireBackend } from "../backend.js";
import { referenceBackend } from "../reference/trainer.js";

/** Exit code for bad input (arguments, configs, images). */
const EXIT_USAGE = 2;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Run the command line; returns the process exit code. Errors print one line, never a stack.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  registerBackend(referenceBackend);
  const program = new Command("coordnet")
    .description("Coordinate networks: an MLP f(x, y) → (r, g, b) that learns an image from its pixel coordinates.")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command("info")
    .description("print the version and which backends can run here (and why others cannot)")
    .action(async () => {
      console.log(`coordnet ${packageVersion()} (Node ${process.version}, ${process.platform}-${process.arch})`);
      console.log("backends:");
      for (const name of backendNames()) {
        try {
          await requireBackend(name);
          console.log(`  ${name}: available`);
        } catch (e) {
          console.log(`  ${name}: unavailable (${(e as Error).message})`);
        }
      }
    });

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    console.error(`coordnet: ${(e as Error).message}`);
    return 1;
  }
}
