/**
 * @module
 * The `coordnet` command line: the program, its error handling and exit codes; each command lives in `commands/`.
 *
 * Exit codes: 0 done; 1 a failure while working (e.g. training diverged, the disk is full); 2 bad
 * input (arguments, config, image, model file, an output folder that cannot be used), reported in
 * one line before any output file is written; 128 + n stopped by signal n (SIGINT 130, SIGTERM
 * 143, SIGHUP 129) after writing a checkpoint (`demo`, which keeps none, on Ctrl-C, having written
 * nothing).
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { releaseWebGPU } from "../backends/gpujs/device.js";
import { ConfigError } from "../config.js";
import { CoordnetError, oneLine } from "../errors.js";
import { fsReason } from "../io/atomic.js";
import { DivergenceError } from "../training/runner.js";
import { registerDemo } from "./commands/demo.js";
import { registerInfo } from "./commands/info.js";
import { registerNtk } from "./commands/ntk.js";
import { registerPaper } from "./commands/paper.js";
import { registerRender } from "./commands/render.js";
import { registerSpectrum } from "./commands/spectrum.js";
import { registerSweep } from "./commands/sweep.js";
import { registerTrain } from "./commands/train.js";
import { useThreads } from "./options.js";
import type { CommandContext } from "./shared.js";

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Each command's module, in the order `--help` lists them. */
const COMMANDS: ((program: Command, ctx: CommandContext) => void)[] = [
  registerTrain,
  registerDemo,
  registerPaper,
  registerSweep,
  registerRender,
  registerSpectrum,
  registerNtk,
  registerInfo,
];

/**
 * Run the command line; returns the process exit code. Errors print one line, never a stack
 * (set `COORDNET_DEBUG=1` to see one).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const version = packageVersion();
  let code = 0;
  const program = new Command("coordnet")
    .description("Coordinate networks: an MLP f(x, y) → (r, g, b) that learns an image from its pixel coordinates.")
    .version(version)
    .exitOverride()
    // the parser's errors as every other: one line, `coordnet: …`
    .configureOutput({
      outputError: (text, write) =>
        // a value quoted from the command line is cut like any other
        write(`coordnet: ${oneLine(text.replace(/^error: /, "").trim())} (add --help for usage)\n`),
    });

  program.hook("preAction", (_program, command) => useThreads(command.opts().threads));
  const ctx: CommandContext = {
    version,
    setCode: (c) => {
      code = c;
    },
  };
  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    await releaseWebGPU().catch(() => {});
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (process.env.COORDNET_DEBUG) console.error(e);
    // one line, however long the message (coordnet's own are already cut; anything else is cut here)
    const message = oneLine(String((e as Error)?.message ?? e).split("\n")[0]);
    if (e instanceof ConfigError) console.error(`coordnet: invalid config: ${message}`);
    else if (e instanceof DivergenceError) console.error(`coordnet: ${message} (--lr)`);
    else if (!(e instanceof CoordnetError) && typeof (e as NodeJS.ErrnoException).path === "string")
      // a file-system error that escaped its own message: the file, and the reason in words
      console.error(oneLine(`coordnet: cannot ${(e as NodeJS.ErrnoException).syscall ?? "use"} ${(e as NodeJS.ErrnoException).path}: ${fsReason(e)}`));
    else console.error(`coordnet: ${message}`);
    // coordnet's own errors say how to exit (2: bad input, 1: the work failed); anything else is a failure
    return e instanceof CoordnetError ? e.exitCode : EXIT_FAILURE;
  }
}
