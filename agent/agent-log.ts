import path from "node:path";
import pino from "pino";
import { createLogger, type Logger } from "../shared/log";
import { RotatingLog } from "./rotating-log";
import { statusLineLogStream, type StatusLine } from "./status-line";

export const LOG_FILE_NAME = "agent.log";

export interface AgentLog {
  log: Logger;
  logFile: string;
  close(): void;
}

/**
 * The running agent's logger: every line to a rotating file in the data dir, and to stdout as
 * JSON (for a service manager's journal), or, on a terminal, only warnings and errors as short
 * lines above the status line.
 */
export function createAgentLog(dataDir: string, statusLine: StatusLine | undefined): AgentLog {
  const logFile = path.join(dataDir, LOG_FILE_NAME);
  const file = new RotatingLog({ file: logFile });
  const console = statusLine
    ? { level: "warn" as const, stream: statusLineLogStream(statusLine) }
    : { level: "trace" as const, stream: pino.destination({ fd: 1, sync: true }) };

  const streams = pino.multistream([{ level: "trace", stream: file }, console]);
  const log = createLogger("tracker-agent", streams);
  return { log, logFile, close: () => file.close() };
}
