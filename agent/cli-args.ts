import { parseArgs } from "node:util";

/** A command line the agent cannot run; main prints it with the usage and exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface RunCommand {
  command: "run";
  /** host:port, several comma-separated (coordinators on one database), or empty. */
  server: string;
  name: string | undefined;
  capacity: number;
  agentId: string | undefined;
  /** Config and data directory instead of the per-user ones (system services). */
  home?: string;
}

export interface DoctorCommand {
  command: "doctor";
  server: string;
  agentId: string | undefined;
  home?: string;
}

/** user: runs as the volunteer at logon; system: runs at boot, installed by an administrator. */
export type ServiceScope = "user" | "system";

export interface InstallServiceCommand {
  command: "install-service";
  scope: ServiceScope;
  /** Print the service file and the commands instead of installing. */
  printOnly: boolean;
  /** What the service runs. */
  run: RunCommand;
}

export interface UninstallServiceCommand {
  command: "uninstall-service";
  scope: ServiceScope;
  printOnly: boolean;
}

export type CliCommand =
  | RunCommand
  | DoctorCommand
  | InstallServiceCommand
  | UninstallServiceCommand
  | { command: "status"; home?: string }
  | { command: "version" }
  | { command: "help" };

export const USAGE = `Usage: tracker-agent enroll TOKEN
       tracker-agent [run] [--server HOST:PORT[,HOST:PORT…]] [options]
       tracker-agent status | doctor | install-service | uninstall-service | version
       tracker-agent --help

Commands:
  enroll TOKEN       trade the admin's one-time enrollment token for this agent's credential
                     (kept owner-only in the config dir; TRACKER_AGENT_HOME overrides it)
  run                connect to the coordinator and fetch batches (default); once enrolled,
                     --server is only needed to name more coordinators
  status             one line: running or not, connected, batches today, rate, version
  doctor             check server (TCP, gRPC), TLS, credential, API and clock: a verdict each
  install-service    run the agent as a service that starts by itself (systemd, launchd,
                     Windows Task Scheduler), with the run options given here
  uninstall-service  stop and remove that service
  version            print the agent version

Options for run (and install-service):
  --server HOST:PORT   coordinator address (or TRACKER_SERVER); doctor takes it too;
                       run takes several, comma-separated, and moves to the next
                       when one fails (coordinators sharing one database)
  --name NAME          name shown to the admin when the enrollment token gave none
                       (default: host name)
  --capacity N         assignments taken at once, 1-64 (default: 4)
  --agent-id ID        ignored once enrolled: the credential carries the agent id
  --home DIR           config and data dir instead of the per-user ones (or
                       TRACKER_AGENT_HOME); system services get one for the machine
Options for install-service and uninstall-service:
  --system             for the whole machine, at boot (needs root or Administrator);
                       default: for this user, at logon
  --print              show the service file and commands, change nothing
  -h, --help           show this help
  -V, --version        print the agent version
`;

/** The options each command accepts; any other is a usage error. */
const COMMAND_OPTIONS: Record<CliCommand["command"], readonly string[]> = {
  run: ["server", "name", "capacity", "agent-id", "home"],
  doctor: ["server", "agent-id", "home"],
  "install-service": ["server", "name", "capacity", "agent-id", "home", "system", "print"],
  "uninstall-service": ["system", "print"],
  status: ["home"],
  version: [],
  help: [],
};

const MAX_CAPACITY = 64;
const SERVER_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

type ParsedValues = ReturnType<typeof parseArgv>["values"];

/** Parses argv (without node and script) and the environment into one command. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const { values, positionals } = parseArgv(argv);
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);

  const command = positionals[0] ?? "run";
  if (!isCommand(command)) throw new UsageError(`unknown command: ${command}`);
  checkOptions(command, values);

  switch (command) {
    case "run":
      return runCommand(values, env);
    case "doctor": {
      const server = parseServer(values.server ?? env.TRACKER_SERVER);
      return { command, server, agentId: parseAgentId(values["agent-id"]), ...home(values) };
    }
    case "install-service":
      return { command, ...serviceScope(values), run: runCommand(values, env) };
    case "uninstall-service":
      return { command, ...serviceScope(values) };
    case "status":
      return { command, ...home(values) };
    default:
      return { command };
  }
}

function parseArgv(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: "string" },
        name: { type: "string" },
        capacity: { type: "string" },
        "agent-id": { type: "string" },
        home: { type: "string" },
        system: { type: "boolean" },
        print: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function isCommand(name: string): name is CliCommand["command"] {
  return Object.hasOwn(COMMAND_OPTIONS, name);
}

function checkOptions(command: CliCommand["command"], values: ParsedValues): void {
  const allowed = COMMAND_OPTIONS[command];
  for (const [option, value] of Object.entries(values)) {
    const anywhere = option === "help" || option === "version";
    if (value !== undefined && !anywhere && !allowed.includes(option)) {
      throw new UsageError(`--${option} does not apply to ${command}`);
    }
  }
}

function runCommand(values: ParsedValues, env: NodeJS.ProcessEnv): RunCommand {
  return {
    command: "run",
    server: parseServers(values.server ?? env.TRACKER_SERVER),
    name: parseName(values.name),
    capacity: parseCapacity(values.capacity),
    agentId: parseAgentId(values["agent-id"]),
    ...home(values),
  };
}

/** Only present when given, so a plain run command stays the same object as before --home. */
function home(values: ParsedValues): { home?: string } {
  if (values.home === undefined) return {};
  if (values.home.trim() === "") throw new UsageError("--home must name a directory");
  return { home: values.home };
}

function serviceScope(values: ParsedValues): { scope: ServiceScope; printOnly: boolean } {
  return { scope: values.system ? "system" : "user", printOnly: values.print ?? false };
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

/** Coordinators sharing one database, tried in turn; one address is the common case. */
function parseServers(list: string | undefined): string {
  if (list === undefined || list === "") return "";
  const servers = list.split(",").map((server) => server.trim());
  if (servers.some((server) => server === "")) {
    throw new UsageError(`--server lists an empty address: ${JSON.stringify(list)}`);
  }
  return servers.map(parseServer).join(",");
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
