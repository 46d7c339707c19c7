import pino, { type Logger } from "pino";

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT_PATHS = [
  "applicationId",
  "config.applicationId",
  "token",
  "secret",
  "adminToken",
  "*.applicationId",
  "*.secret",
  "*.token",
];

/**
 * Creates the root logger of a process. One JSON line per event on stderr-free stdout, level
 * from LOG_LEVEL (default info). A component can be turned up alone with LOG_LEVEL_<NAME>,
 * e.g. LOG_LEVEL_INGEST=debug, through {@link componentLogger}.
 */
// LIMITATION: log lines go to stdout synchronously, so a process whose stdout is a pipe that
// stops being read or is closed stalls on its next log line, and then ignores SIGTERM.
export function createLogger(name: string, destination?: pino.DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? "info";
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}

/** A child logger for one component, whose level can be set alone from the environment. */
export function componentLogger(parent: Logger, component: string): Logger {
  const child = parent.child({ component });
  const level = process.env[`LOG_LEVEL_${component.toUpperCase().replace(/-/g, "_")}`];
  if (level) child.level = level;
  return child;
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
