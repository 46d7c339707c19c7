import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AgentServiceService, type AgentServiceServer } from "../shared/gen/tracker/v1/agent";
import type { Logger } from "../shared/log";
import { componentLogger } from "../shared/log";
import type { ServerConfig } from "./config";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { openDatabase, type Sql } from "./db/pool";
import { seedRealms } from "./db/seed-realms";
import { AgentHub } from "./agent-service/hub";
import {
  AGENT_MAX_MESSAGE_BYTES,
  AGENT_TRANSPORT_MAX_BYTES,
  measuredAgentService,
} from "./agent-service/message-size";
import { loadAgentServiceSecurity, publicAgentAddress } from "./enrollment/agent-service-identity";
import { enrollHandler } from "./enrollment/enroll-call";
import { downloadReleaseHandler } from "./releases/download-call";
import { LeaseClock } from "./scheduler/lease-clock";
import { createIngest, type Ingest } from "./ingest/create-ingest";
import { startAdminServer, type AdminServer } from "./admin-service/admin-server";
import { TrackerMetrics } from "./metrics/tracker-metrics";
import { startMetricsServer, type MetricsServer } from "./metrics/metrics-server";

export { AGENT_MAX_MESSAGE_BYTES } from "./agent-service/message-size";

export interface TrackerServer {
  agentPort: number;
  adminPort: number;
  metricsPort: number;
  sql: Sql;
  hub: AgentHub;
  ingest: Ingest;
  admin: AdminServer;
  metrics: TrackerMetrics;
  stop(): Promise<void>;
}

/** Starts everything a coordinator runs: database, migrations, agent and admin services. */
export async function startTrackerServer(config: ServerConfig, log: Logger): Promise<TrackerServer> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  // As root, initdb runs as the "postgres" user, which must be able to pass through this
  // directory; 0711 lets it without letting it list the secrets kept here.
  if (process.getuid?.() === 0) fs.chmodSync(config.dataDir, 0o711);
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "pg"), log: componentLogger(log, "postgres") });
    url = embedded.url;
  }
  const sql = openDatabase(url, { log: componentLogger(log, "db"), max: 10 });
  await migrate(sql, { log });
  await seedRealms(sql, config.realms);

  const metrics = new TrackerMetrics();
  const ingestConfig = { ...config.ingest, verifyShare: config.verify.share };
  const ingest = createIngest(sql, ingestConfig, componentLogger(log, "ingest"), metrics);
  const hub = new AgentHub(sql, config, ingest, componentLogger(log, "agent-service"));
  hub.metrics = metrics;
  await hub.start();

  const agentServer = new grpc.Server({
    "grpc.max_receive_message_length": AGENT_TRANSPORT_MAX_BYTES,
    "grpc.max_send_message_length": AGENT_MAX_MESSAGE_BYTES,
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  });
  const security = loadAgentServiceSecurity(config, componentLogger(log, "tls"));
  const { identity } = security;
  const agentLog = componentLogger(log, "agent-service");
  const service: AgentServiceServer = {
    session: (call) => hub.session(call),
    enroll: enrollHandler({ sql, log: agentLog, releasePublicKeyPem: identity.releaseKey.publicKeyPem, caPem: identity.caPem }),
    downloadRelease: downloadReleaseHandler(sql, agentLog),
  };
  agentServer.addService(measuredAgentService(AgentServiceService), service);
  const agentPort = await bind(agentServer, config.agentListen, security.credentials);
  hub.identity = { ...identity, serverAddress: publicAgentAddress(config, agentPort) };
  log.info({ address: config.agentListen, port: agentPort }, "agent service listening");

  const clock = new LeaseClock(sql, config.lease.checkMs, config.lease.maxAttempts, {
    onExpired: (leases) => hub.revoke(leases, "lease expired"),
    onRoundFinished: () => hub.wake(),
  }, componentLogger(log, "scheduler"));
  clock.start();

  const admin = await startAdminServer({ config, sql, hub, ingest, log: componentLogger(log, "admin") });
  metrics.observe({ sql, ingest, hub, databaseReachable: () => admin.probe.reachable });
  const metricsServer: MetricsServer | null = config.metricsListen
    ? await startMetricsServer(metrics, config.metricsListen, componentLogger(log, "metrics"))
    : null;

  let stopped = false;
  return {
    agentPort,
    adminPort: admin.port,
    metricsPort: metricsServer?.port ?? 0,
    sql,
    hub,
    ingest,
    admin,
    metrics,
    async stop() {
      if (stopped) return;
      stopped = true;
      log.info("server stopping");
      await metricsServer?.stop();
      await admin.stop();
      await hub.stop();
      await new Promise<void>((resolve) => agentServer.tryShutdown(() => resolve()));
      await clock.stop();
      await ingest.close();
      await sql.end({ timeout: 5 });
      if (embedded) await embedded.stop();
      log.info("server stopped");
    },
  };
}

/** Binds host:port; port 0 picks a free one. Resolves with the port bound. */
export function bind(server: grpc.Server, address: string, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port)));
  });
}
