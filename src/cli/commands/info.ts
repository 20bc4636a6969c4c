/**
 * @module
 * `coordnet info`: the version and which backends run here.
 */

import type { Command } from "commander";
import { listBackends, resolveBackendName } from "../../backends/index.js";
import type { CommandContext } from "../shared.js";

async function info(version: string): Promise<number> {
  console.log(`coordnet ${version} (Node ${process.version}, ${process.platform}-${process.arch})`);
  console.log("backends:");
  for (const b of await listBackends()) {
    if (!b.available) console.log(`  ${b.name}: unavailable — ${b.reason}`);
    else console.log(`  ${b.name}: available${b.device ? ` on ${b.device}` : ""}${b.reason ? ` (auto passes it over: ${b.reason})` : ""}`);
  }
  console.log(`auto picks: ${await resolveBackendName("auto")}`);
  return 0;
}

/** Register `coordnet info` on `program`. */
export function registerInfo(program: Command, ctx: CommandContext): void {
  program
    .command("info")
    .description("print the version and which backends can run here (and why others cannot)")
    .action(async () => {
      ctx.setCode(await info(ctx.version));
    });
}
