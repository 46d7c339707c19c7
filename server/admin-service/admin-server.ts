import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import type { Sql } from "postgres";
import { AdminServiceService } from "../../shared/gen/tracker/v1/admin";
import type { Logger } from "../../shared/log";
import { repoRoot } from "../../shared/repo-root";
import type { ServerConfig } from "../config";
import type { AgentHub } from "../agent-service/hub";
import type { Ingest } from "../ingest/create-ingest";
import { bind } from "../tracker-server";
import { AdminToken } from "./admin-token";
import { adminHandlers } from "./handlers";

export interface AdminDeps {
  config: ServerConfig;
  sql: Sql;
  hub: AgentHub;
  ingest: Ingest;
  log: Logger;
}

export interface AdminServer {
  port: number;
  metricsPort: number;
  health: HealthImplementation;
  stop(): Promise<void>;
}

/** Service names reported by the health service. */
const HEALTH_SERVICES = ["", "tracker.v1.AdminService", "tracker.v1.AgentService"];

/**
 * Starts the admin gRPC server: AdminService (token required), server reflection v1 and
 * v1alpha, and grpc.health.v1.Health, on config.adminListen.
 */
export async function startAdminServer(deps: AdminDeps): Promise<AdminServer> {
  const { adminToken, created } = AdminToken.loadOrCreate(deps.config.dataDir);
  if (created) {
    // Printed once, on the start that created it; later it is read from the data directory.
    deps.log.warn({ adminToken: created, file: "admin-token in the data directory" }, "admin token created");
    process.stderr.write(`admin token (shown once): ${created}\n`);
  }

  const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 });
  server.addService(AdminServiceService, adminHandlers(deps, adminToken) as never);

  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((s) => [s, "SERVING" as const])));
  health.addToServer(server);
  new ReflectionService(loadReflectionDefinitions()).addToServer(server);

  const port = await bind(server, deps.config.adminListen);
  deps.log.info({ address: deps.config.adminListen, port }, "admin service listening");

  return {
    port,
    metricsPort: 0,
    health,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** Reflection serves our protos and the health proto, loaded by include-relative names. */
function loadReflectionDefinitions(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(
    ["tracker/v1/admin.proto", "tracker/v1/agent.proto", "health/v1/health.proto"],
    {
      includeDirs: [path.join(repoRoot(), "proto"), path.resolve(healthProtoPath, "../../..")],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  );
}
