#!/usr/bin/env node
import { VERSION } from "../shared/version";
import { parseCliArgs, USAGE, UsageError, type CliCommand } from "./cli-args";
import { runDoctorCommand } from "./cli-doctor";
import { runAgentCommand } from "./cli-run";
import { runInstallService, runUninstallService } from "./cli-service";
import { runStatusCommand } from "./cli-status";
import { agentDataDir } from "./agent-home";
import { runEnrollCommand } from "./enroll-command";

/** Exit code for a command line the agent cannot run. */
const EXIT_USAGE = 2;

/**
 * Commands that read their own arguments, before the shared parser sees them. A command is
 * added here with a function from its arguments (after the command word) to an exit code.
 */
const SELF_PARSED_COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  enroll: runEnrollCommand,
};

async function main(argv: string[]): Promise<number | "running"> {
  const selfParsed = SELF_PARSED_COMMANDS[argv[0] ?? ""];
  if (selfParsed) return selfParsed(argv.slice(1));

  let command: CliCommand;
  try {
    command = parseCliArgs(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`tracker-agent: ${err.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  // --home is for every part of the agent, enrollment and its credential included.
  if ("home" in command && command.home) process.env.TRACKER_AGENT_HOME = command.home;

  switch (command.command) {
    case "help":
      process.stdout.write(USAGE);
      return 0;
    case "version":
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case "status":
      return runStatusCommand(agentDataDir(), process.stdout);
    case "doctor":
      return runDoctorCommand(command, process.stdout);
    case "install-service":
      return runInstallService(command, process.stdout);
    case "uninstall-service":
      return runUninstallService(command, process.stdout);
    case "run":
      runAgentCommand(command);
      return "running";
  }
}

main(process.argv.slice(2)).then(
  (outcome) => {
    if (outcome !== "running") process.exitCode = outcome;
  },
  (err: unknown) => {
    process.stderr.write(`tracker-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
