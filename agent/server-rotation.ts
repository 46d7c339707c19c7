import type { AgentServiceClient } from "../shared/gen/tracker/v1/agent";

/** Which coordinator address the agent uses now; the agent moves on after a session ends. */
export interface ServerRotation {
  readonly current: string;
  readonly servers: readonly string[];
  /** Moves to the next address, round-robin, and returns it. */
  advance(): string;
}

/** A `--server` value or a credential's address: one host:port or several, comma-separated. */
export function splitServers(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * One client per coordinator address, seen as a single client: every call goes to the current
 * address, so the wrappers around it (refusals, updates, counters) need not know there are
 * several. Clients are made on first use and all closed by close().
 */
export function rotatingClient(
  servers: readonly string[],
  connect: (server: string) => AgentServiceClient,
): { client: AgentServiceClient; rotation: ServerRotation } {
  if (servers.length === 0) throw new Error("no coordinator address");
  const clients = new Map<string, AgentServiceClient>();
  let index = 0;
  const rotation: ServerRotation = {
    servers,
    get current() {
      return servers[index];
    },
    advance() {
      index = (index + 1) % servers.length;
      return servers[index];
    },
  };
  const currentClient = () => {
    const server = servers[index];
    let client = clients.get(server);
    if (!client) {
      client = connect(server);
      clients.set(server, client);
    }
    return client;
  };
  const closeAll = () => {
    for (const client of clients.values()) client.close();
    clients.clear();
  };

  const client = new Proxy({} as AgentServiceClient, {
    get(_target, property) {
      if (property === "close") return closeAll;
      const target = currentClient();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { client, rotation };
}
