import { resolveConfig, type ConfigSchema, ConfigError } from "../shared/config";
import { TRACKER_FIELDS } from "../shared/wg-api/fields";

/** The tracker's default field list for account/info: exactly what `players` stores. */
export const DEFAULT_FIELDS: string[] = [...TRACKER_FIELDS];

/** Every server setting, its default and what it means. The README's table mirrors this. */
export const SERVER_SCHEMA: ConfigSchema = {
  databaseUrl: {
    type: "string",
    default: "",
    description: "PostgreSQL URL; empty starts an embedded PostgreSQL in dataDir/pg",
    secret: true,
  },
  dataDir: { type: "string", default: "data", description: "Directory for the embedded database and server secrets" },
  "agent.listen": {
    type: "string",
    default: "127.0.0.1:7400",
    description: "host:port of the agent service (agents authenticate with an enrolled credential)",
  },
  "admin.listen": {
    type: "string",
    default: "127.0.0.1:7401",
    description: "host:port of the admin service, reflection and health",
  },
  "metrics.listen": {
    type: "string",
    default: "127.0.0.1:9464",
    description: "host:port of the Prometheus endpoint; empty turns it off",
  },
  "api.baseUrl": {
    type: "string",
    default: "https://api-console.worldoftanks.com/wotx",
    description: "Wargaming console API base URL, pushed to agents",
  },
  "api.fields": { type: "list", default: DEFAULT_FIELDS, description: "fields requested from account/info" },
  "api.language": { type: "string", default: "en", description: "language parameter sent to the API" },
  "api.requestTimeoutMs": {
    type: "int", default: 15_000, min: 1000, max: 120_000, unit: "ms",
    description: "agents' total timeout per API request",
  },
  "api.maxAttempts": {
    type: "int", default: 5, min: 1, max: 50,
    description: "API tries per batch inside an agent before it reports BatchFailed",
  },
  "api.retryInitialMs": { type: "int", default: 1000, min: 10, max: 60_000, unit: "ms", description: "agents' first retry delay" },
  "api.retryMaxMs": { type: "int", default: 30_000, min: 100, max: 600_000, unit: "ms", description: "agents' longest retry delay" },
  "batch.size": { type: "int", default: 100, min: 1, max: 100, description: "account ids per batch (the API takes at most 100)" },
  "lease.ttlMs": {
    type: "int", default: 120_000, min: 1000, max: 3_600_000, unit: "ms",
    description: "how long an agent holds a batch before it is given to another",
  },
  "lease.maxAttempts": {
    type: "int", default: 5, min: 1, max: 100,
    description: "leases of one batch before it is marked failed",
  },
  "lease.checkMs": { type: "int", default: 1000, min: 100, max: 60_000, unit: "ms", description: "period of the lease expiry and round completion check" },
  "agent.maxInFlight": { type: "int", default: 4, min: 1, max: 64, description: "concurrent API requests per agent" },
  "agent.maxCredit": { type: "int", default: 8, min: 1, max: 256, description: "most assignments one agent may hold at once" },
  "agent.tls": {
    type: "boolean", default: true,
    description: "TLS on the agent service with the server's own CA; false only on a loopback address",
  },
  "agent.writeStallMs": {
    type: "int", default: 30_000, min: 500, max: 600_000, unit: "ms",
    description: "an agent that reads nothing sent to it for this long is disconnected",
  },
  "agent.offencesToFlag": {
    type: "int", default: 5, min: 1, max: 1_000_000,
    description: "refused results and other offences after which an agent is flagged for the admin",
  },
  "verify.share": {
    type: "number", default: 0.02, min: 0, max: 1,
    description: "share of batches fetched a second time by another agent and compared",
  },
  "verify.waitMs": {
    type: "int", default: 600_000, min: 0, max: 86_400_000, unit: "ms",
    description: "how long a batch under verification waits for another agent before any may take it",
  },
  "agent.publicAddress": {
    type: "string", default: "",
    description: "host:port agents connect to, put in enrollment tokens; empty means agent.listen",
  },
  "ingest.flushRows": { type: "int", default: 5000, min: 1, max: 1_000_000, description: "player rows that trigger a flush" },
  "ingest.flushMs": { type: "int", default: 200, min: 1, max: 60_000, unit: "ms", description: "longest wait before buffered rows are flushed" },
  "ingest.concurrentFlushes": {
    type: "int", default: 2, min: 1, max: 16,
    description: "flushes merged into the database at once",
  },
  "ingest.highWaterRows": {
    type: "int", default: 20_000, min: 1, max: 10_000_000,
    description: "buffered rows above which no new assignments are granted",
  },
  "schedule.checkMs": {
    type: "int", default: 30_000, min: 100, max: 3_600_000, unit: "ms",
    description: "period of the daily round schedule check (the schedule itself is set with SetSchedule)",
  },
  "health.checkMs": {
    type: "int", default: 2000, min: 100, max: 60_000, unit: "ms",
    description: "period of the database probe behind the gRPC health service",
  },
  "realms.xbox": { type: "string", default: "5000-15500000", description: "Xbox id range first-last, used when the realms table is empty" },
  "realms.ps": { type: "string", default: "1073740000-1085000000", description: "PlayStation id range first-last, used when the realms table is empty" },
};

export interface ServerConfig {
  databaseUrl: string;
  dataDir: string;
  agentListen: string;
  adminListen: string;
  metricsListen: string;
  api: {
    baseUrl: string;
    fields: string[];
    language: string;
    requestTimeoutMs: number;
    maxAttempts: number;
    retryInitialMs: number;
    retryMaxMs: number;
  };
  batchSize: number;
  lease: { ttlMs: number; maxAttempts: number; checkMs: number };
  agent: {
    maxInFlight: number;
    maxCredit: number;
    tls: boolean;
    publicAddress: string;
    writeStallMs: number;
    offencesToFlag: number;
  };
  verify: { share: number; waitMs: number };
  ingest: { flushRows: number; flushMs: number; highWaterRows: number; concurrentFlushes: number };
  realms: { xbox: IdRange; ps: IdRange };
  schedule: { checkMs: number };
  health: { checkMs: number };
}

export interface IdRange {
  firstId: number;
  lastId: number;
}

/** Loads and validates the server config; throws ConfigError naming the bad key. */
export function loadServerConfig(sources: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}): ServerConfig {
  const v = resolveConfig(SERVER_SCHEMA, {
    ...sources,
    env: { DATABASE_URL: undefined, ...sources.env, TRACKER_DATABASE_URL: sources.env?.TRACKER_DATABASE_URL ?? sources.env?.DATABASE_URL },
  });
  const str = (k: string) => v[k] as string;
  const num = (k: string) => v[k] as number;

  checkListen("agent.listen", str("agent.listen"));
  if (str("agent.publicAddress")) checkListen("agent.publicAddress", str("agent.publicAddress"));
  if (!v["agent.tls"] && !isLoopback(str("agent.listen"))) {
    throw new ConfigError("agent.tls", "may be false only when agent.listen is a loopback address");
  }
  checkListen("admin.listen", str("admin.listen"));
  if (str("metrics.listen")) checkListen("metrics.listen", str("metrics.listen"));
  checkUrl("api.baseUrl", str("api.baseUrl"));
  if (str("databaseUrl")) checkDatabaseUrl(str("databaseUrl"));
  if (num("api.retryInitialMs") > num("api.retryMaxMs")) {
    throw new ConfigError("api.retryInitialMs", "must not exceed api.retryMaxMs");
  }

  return {
    databaseUrl: str("databaseUrl"),
    dataDir: str("dataDir"),
    agentListen: str("agent.listen"),
    adminListen: str("admin.listen"),
    metricsListen: str("metrics.listen"),
    api: {
      baseUrl: str("api.baseUrl").replace(/\/+$/, ""),
      fields: v["api.fields"] as string[],
      language: str("api.language"),
      requestTimeoutMs: num("api.requestTimeoutMs"),
      maxAttempts: num("api.maxAttempts"),
      retryInitialMs: num("api.retryInitialMs"),
      retryMaxMs: num("api.retryMaxMs"),
    },
    batchSize: num("batch.size"),
    lease: { ttlMs: num("lease.ttlMs"), maxAttempts: num("lease.maxAttempts"), checkMs: num("lease.checkMs") },
    agent: {
      maxInFlight: num("agent.maxInFlight"),
      maxCredit: num("agent.maxCredit"),
      tls: v["agent.tls"] as boolean,
      publicAddress: str("agent.publicAddress"),
      writeStallMs: num("agent.writeStallMs"),
      offencesToFlag: num("agent.offencesToFlag"),
    },
    verify: { share: num("verify.share"), waitMs: num("verify.waitMs") },
    ingest: {
      flushRows: num("ingest.flushRows"),
      flushMs: num("ingest.flushMs"),
      highWaterRows: num("ingest.highWaterRows"),
      concurrentFlushes: num("ingest.concurrentFlushes"),
    },
    realms: { xbox: parseRange("realms.xbox", str("realms.xbox")), ps: parseRange("realms.ps", str("realms.ps")) },
    schedule: { checkMs: num("schedule.checkMs") },
    health: { checkMs: num("health.checkMs") },
  };
}

/** "5000-15500000" → { firstId, lastId }. */
export function parseRange(key: string, text: string): IdRange {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ConfigError(key, `expected first-last, e.g. 5000-15500000, got "${text}"`);
  const firstId = Number(m[1]);
  const lastId = Number(m[2]);
  if (firstId < 1 || lastId < firstId || !Number.isSafeInteger(lastId)) {
    throw new ConfigError(key, `"${text}" is not a range of positive ids with first <= last`);
  }
  return { firstId, lastId };
}

function checkListen(key: string, value: string): void {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) {
    throw new ConfigError(key, `expected host:port, e.g. 127.0.0.1:7400, got "${value}"`);
  }
}

/** True for 127.0.0.0/8, ::1 and localhost, where plaintext never leaves the machine. */
export function isLoopback(hostPort: string): boolean {
  const host = hostPort.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Names the key and hides the password: the URL usually carries one. */
function checkDatabaseUrl(value: string): void {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:") || !url.hostname) {
    throw new ConfigError(
      "databaseUrl",
      "DATABASE_URL must look like postgres://user:password@host:5432/database",
    );
  }
}

function checkUrl(key: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `"${value}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(key, `"${value}" must be http or https`);
  }
}
