import os from "node:os";
import type { Logger } from "../shared/log";
import { VERSION } from "../shared/version";
import { startAgent } from "./agent";
import { AgentActivity } from "./agent-activity";
import { agentDataDir, agentHomeDir } from "./agent-home";
import { startSelfUpdater, watchUpdates } from "./self-update";
import { createAgentLog } from "./agent-log";
import type { RunCommand } from "./cli-args";
import { enrolledClientOrExit, EXIT_NOT_ENROLLED, watchCredentialRefusals } from "./credentials-refusal";
import { observeSessions } from "./session-observer";
import { StatusLine } from "./status-line";
import { StatusReporter } from "./status-reporter";
import { holdYoungGeneration } from "./young-generation";

/**
 * `tracker-agent run`: the agent itself, at low priority, logging to the rotating file, keeping
 * the status file current and, on a terminal, one status line. Stops on SIGINT and SIGTERM after
 * returning its leases.
 */
export function runAgentCommand(command: RunCommand): void {
  holdYoungGeneration();
  const dataDir = agentDataDir();
  const statusLine = process.stdout.isTTY ? new StatusLine(process.stdout) : undefined;
  const { log, logFile, close } = createAgentLog(dataDir, statusLine);
  lowerPriority(log);

  const activity = new AgentActivity(Date.now());
  const enrolled = enrolledClientOrExit(command.server);
  const { credential, server } = enrolled;
  const refusals = watchCredentialRefusals(enrolled.client, log, (code, reason) => {
    process.stderr.write(`tracker-agent: ${reason} (${code})\n`);
    void agent.stop().finally(() => exit(EXIT_NOT_ENROLLED));
  });
  const updater = startSelfUpdater({
    client: enrolled.client,
    credential,
    home: agentHomeDir(),
    log,
    stopAgent: () => agent.stop(),
    exit: (code) => exit(code),
  });
  const client = observeSessions(watchUpdates(refusals, updater), (message) => {
    if (message.kind?.$case === "ack") activity.batchDone(Date.now());
  });
  const agentId = credential.agentId;
  const { capacity } = command;
  const agentName = command.name;
  const { rotation } = enrolled;
  const agent = startAgent({ server, agentId, agentName, capacity, logger: log, client, rotation });
  log.info({ server, version: VERSION, capacity, logFile }, "agent started");

  const identity = { pid: process.pid, version: VERSION, server, startedAtMs: Date.now(), logFile };
  const requestsTotal = () => agent.counters.requests;
  const reporter = new StatusReporter({
    dataDir,
    activity,
    requestsTotal,
    identity,
    statusLine,
    logger: log,
  });
  agent.on("configured", () => {
    activity.connected(Date.now());
    reporter.refresh();
  });
  agent.on("session-end", () => {
    activity.disconnected();
    reporter.refresh();
  });

  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, "signal received");
    agent.stop().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        exit(1);
      },
    );
  };
  const exit = (code: number) => {
    reporter.stop();
    close();
    process.exit(code);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

/** A volunteer's machine comes first: the agent runs at low CPU priority. */
function lowerPriority(log: Logger): void {
  try {
    os.setPriority(os.constants.priority.PRIORITY_LOW);
  } catch (err) {
    log.debug({ err }, "could not lower priority");
  }
}
