import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import type { Sql } from "postgres";
import { AdminServiceService } from "../../shared/gen/tracker/v1/admin";
import type { Logger } from "../../shared/log";
import { repoRoot } from "../../shared/repo-root";
import type { ServerConfig } from "../config";
import type { AgentHub } from "../agent-service/hub";
import type { Ingest } from "../ingest/create-ingest";
import { bind } from "../tracker-server";
import { AdminToken } from "./admin-token";
import { DatabaseProbe } from "./database-probe";
import { adminHandlers } from "./handlers";
import { PeerChanges } from "./peer-changes";
import { RoundSchedule } from "./round-schedule";

export interface AdminDeps {
  config: ServerConfig;
  sql: Sql;
  hub: AgentHub;
  ingest: Ingest;
  log: Logger;
}

export interface AdminServer {
  port: number;
  health: HealthImplementation;
  probe: DatabaseProbe;
  schedule: RoundSchedule;
  stop(): Promise<void>;
}

/** Service names reported by the health service. */
const HEALTH_SERVICES = ["", "tracker.v1.AdminService", "tracker.v1.AgentService"];
/** How long stop() waits for calls in flight before it cuts them. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Starts the admin gRPC server on config.adminListen: AdminService (admin token required),
 * server reflection v1 and v1alpha, and grpc.health.v1.Health, which reports NOT_SERVING while
 * the database probe fails. Also runs the daily round schedule, and applies key changes and
 * bans made through other coordinators.
 */
export async function startAdminServer(deps: AdminDeps): Promise<AdminServer> {
  const { adminToken, created } = AdminToken.loadOrCreate(deps.config.dataDir);
  if (created) {
    // Printed once, on the start that created it; later it is read from the data directory.
    deps.log.warn({ file: path.join(deps.config.dataDir, "admin-token") }, "admin token created");
    process.stderr.write(
      `admin token (shown once, kept in ${deps.config.dataDir}/admin-token): ${created}\n`,
    );
  }

  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((s) => [s, "SERVING" as const])),
  );
  const probe = new DatabaseProbe(deps.sql, deps.config.health.checkMs, deps.log, (reachable) => {
    for (const s of HEALTH_SERVICES) health.setStatus(s, reachable ? "SERVING" : "NOT_SERVING");
  });
  await probe.check();
  probe.start();

  const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 });
  const { handlers, endStreams } = adminHandlers({ ...deps, adminToken, probe });
  server.addService(AdminServiceService, handlers);
  health.addToServer(server);
  new ReflectionService(loadReflectionDefinitions()).addToServer(server);

  const port = await bind(server, deps.config.adminListen);
  deps.log.info({ address: deps.config.adminListen, port }, "admin service listening");

  const schedule = new RoundSchedule(deps, { checkMs: deps.config.schedule.checkMs });
  schedule.start();
  const peerChanges = new PeerChanges(deps.sql, deps.hub, deps.log);
  peerChanges.start();

  return {
    port,
    health,
    probe,
    schedule,
    async stop() {
      for (const s of HEALTH_SERVICES) health.setStatus(s, "NOT_SERVING");
      await schedule.stop();
      await peerChanges.stop();
      await probe.stop();
      endStreams();
      await shutdown(server);
    },
  };
}

/** Graceful shutdown, cut short after SHUTDOWN_GRACE_MS (a health Watch never ends by itself). */
function shutdown(server: grpc.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/**
 * Reflection serves our protos and the health proto, loaded by include-relative names. The
 * health proto is our copy with List's map written as its repeated entry message (see the
 * comment in that file): with the map, grpcurl and buf curl could not see the Health service.
 */
function loadReflectionDefinitions(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(
    ["tracker/v1/admin.proto", "tracker/v1/agent.proto", "grpc/health/v1/health.proto"],
    {
      includeDirs: [
        path.join(repoRoot(), "proto"),
        path.join(repoRoot(), "server", "admin-service", "proto"),
      ],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  );
}
