#!/usr/bin/env node
import os from "node:os";
import { createLogger } from "../shared/log";
import { VERSION } from "../shared/version";
import { startAgent } from "./agent";
import { parseCliArgs, USAGE, UsageError, type RunCommand } from "./cli-args";
import { enrolledClientOrExit, EXIT_NOT_ENROLLED, watchCredentialRefusals } from "./credentials-refusal";
import { runEnrollCommand } from "./enroll-command";
import { agentHomeDir } from "./agent-home";
import { startSelfUpdater, watchUpdates } from "./self-update";

/** Exit code for a command line the agent cannot run. */
const EXIT_USAGE = 2;

function main(): void {
  if (process.argv[2] === "enroll") {
    void runEnrollCommand(process.argv.slice(3)).then((code) => process.exit(code));
    return;
  }
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

  const enrolled = enrolledClientOrExit(command.server);
  const { credential, server } = enrolled;
  const refusals = watchCredentialRefusals(enrolled.client, log, (code, reason) => {
    process.stderr.write(`tracker-agent: ${reason} (${code})\n`);
    void agent.stop().finally(() => process.exit(EXIT_NOT_ENROLLED));
  });
  const updater = startSelfUpdater({
    client: enrolled.client,
    credential,
    home: agentHomeDir(),
    log,
    stopAgent: () => agent.stop(),
    exit: (code) => process.exit(code),
  });
  const client = watchUpdates(refusals, updater);
  const agent = startAgent({
    server,
    agentId: credential.agentId,
    agentName: command.name,
    capacity: command.capacity,
    logger: log,
    client,
  });
  const { capacity } = command;
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
