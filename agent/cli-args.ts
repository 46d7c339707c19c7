import { parseArgs } from "node:util";

/** A command line the agent cannot run; main prints it with the usage and exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface RunCommand {
  command: "run";
  server: string;
  name: string | undefined;
  capacity: number;
  agentId: string | undefined;
}

export type CliCommand = RunCommand | { command: "version" } | { command: "help" };

export const USAGE = `Usage: tracker-agent [run] --server HOST:PORT [options]
       tracker-agent version
       tracker-agent --help

Commands:
  run        connect to the coordinator and fetch batches (default)
  version    print the agent version

Options for run:
  --server HOST:PORT   coordinator address (or TRACKER_SERVER; default: the enrolled one)
  --name NAME          name shown to the admin (default: host name)
  --capacity N         assignments taken at once, 1-64 (default: 4)
  --agent-id ID        agent id (default: generated once and kept in the config dir;
                       TRACKER_AGENT_HOME overrides that dir)
  -h, --help           show this help
`;

const MAX_CAPACITY = 64;
const SERVER_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** Parses argv (without node and script) and the environment into one command. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: "string" },
        name: { type: "string" },
        capacity: { type: "string" },
        "agent-id": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);

  const command = positionals[0] ?? "run";
  if (command === "version") return { command: "version" };
  if (command === "help") return { command: "help" };
  if (command !== "run") throw new UsageError(`unknown command: ${command}`);

  return {
    command: "run",
    server: parseServer(values.server ?? env.TRACKER_SERVER),
    name: parseName(values.name),
    capacity: parseCapacity(values.capacity),
    agentId: parseAgentId(values["agent-id"]),
  };
}

function parseServer(server: string | undefined): string {
  // Empty means the server the agent enrolled with, read from its credential.
  if (server === undefined || server === "") return "";
  const match = SERVER_ADDRESS.exec(server);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new UsageError(`--server must be HOST:PORT, got ${JSON.stringify(server)}`);
  }
  return server;
}

function parseCapacity(capacity: string | undefined): number {
  if (capacity === undefined) return 4;
  const value = Number(capacity);
  if (!/^[0-9]+$/.test(capacity) || value < 1 || value > MAX_CAPACITY) {
    throw new UsageError(`--capacity must be a whole number from 1 to ${MAX_CAPACITY}`);
  }
  return value;
}

function parseName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name.trim() === "" || name.length > 64) {
    throw new UsageError("--name must be 1 to 64 characters");
  }
  return name;
}

function parseAgentId(agentId: string | undefined): string | undefined {
  if (agentId === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(agentId)) {
    throw new UsageError("--agent-id must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return agentId;
}
