#!/usr/bin/env node
import os from "node:os";
import { createLogger } from "../shared/log";
import { VERSION } from "../shared/version";
import { startAgent } from "./agent";
import { agentHomeDir, loadOrCreateAgentId } from "./agent-home";
import { parseCliArgs, USAGE, UsageError, type RunCommand } from "./cli-args";

/** Exit code for a command line the agent cannot run. */
const EXIT_USAGE = 2;

function main(): void {
  let command;
  try {
    command = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`tracker-agent: ${err.message}\n\n${USAGE}`);
    process.exit(EXIT_USAGE);
  }

  if (command.command === "help") return void process.stdout.write(USAGE);
  if (command.command === "version") return void process.stdout.write(`${VERSION}\n`);
  run(command);
}

function run(command: RunCommand): void {
  const log = createLogger("tracker-agent");
  lowerPriority(log);

  const agentId = command.agentId ?? loadOrCreateAgentId(agentHomeDir());
  const agent = startAgent({
    server: command.server,
    agentId,
    agentName: command.name,
    capacity: command.capacity,
    logger: log,
  });
  const { server, capacity } = command;
  log.info({ server, version: VERSION, capacity }, "agent started");

  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "signal received");
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** A volunteer's machine comes first: the agent runs at low CPU priority. */
function lowerPriority(log: ReturnType<typeof createLogger>): void {
  try {
    os.setPriority(os.constants.priority.PRIORITY_LOW);
  } catch (err) {
    log.debug({ err }, "could not lower priority");
  }
}

main();
