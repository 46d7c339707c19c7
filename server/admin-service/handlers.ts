import * as grpc from "@grpc/grpc-js";
import { TrackerError, toServiceError } from "../../shared/errors";
import type { AdminDeps } from "./admin-server";
import type { AdminToken } from "./admin-token";
import { roundCalls } from "./rounds";
import { statusCalls } from "./status";
import { apiKeyCalls } from "./api-keys";
import { realmCalls } from "./realms";
import { summaryCalls } from "./summary";
import { agentCalls } from "./agents";

/** What every admin call gets besides its request. */
export interface AdminContext extends AdminDeps {
  adminToken: AdminToken;
}

export type UnaryCall = (request: never, ctx: AdminContext) => Promise<unknown>;
export type StreamCall = (
  request: never,
  ctx: AdminContext,
  write: (message: unknown) => boolean,
  cancelled: AbortSignal,
) => Promise<void>;

/** Every admin call by its method name (lowerCamelCase, as the generated service names them). */
function allCalls(): { unary: Record<string, UnaryCall>; streams: Record<string, StreamCall> } {
  return {
    unary: {
      ...statusCalls.unary,
      ...roundCalls,
      ...apiKeyCalls,
      ...realmCalls,
      ...summaryCalls,
      ...agentCalls,
      rotateAdminToken: async (_req: never, ctx: AdminContext) => ({ token: ctx.adminToken.rotate() }),
    },
    streams: statusCalls.streams,
  };
}

/**
 * The grpc-js handler object of AdminService: each call checks the bearer token, runs, logs who
 * did what with the outcome, and turns errors into coded gRPC statuses.
 */
export function adminHandlers(deps: AdminDeps, adminToken: AdminToken): grpc.UntypedServiceImplementation {
  const ctx: AdminContext = { ...deps, adminToken };
  const { unary, streams } = allCalls();
  const handlers: grpc.UntypedServiceImplementation = {};

  for (const [name, fn] of Object.entries(unary)) {
    const handle: grpc.handleUnaryCall<any, unknown> = (call, callback) => {
      const who = caller(call);
      authenticate(call.metadata, adminToken)
        .then(() => fn(call.request as never, ctx))
        .then(
          (response) => {
            deps.log.info({ who, action: name, request: call.request, outcome: "ok" }, "admin action");
            callback(null, response);
          },
          (err) => {
            logFailure(deps, who, name, call.request, err);
            callback(toServiceError(err) as grpc.ServiceError);
          },
        );
    };
    handlers[name] = handle;
  }

  for (const [name, fn] of Object.entries(streams)) {
    const handle: grpc.handleServerStreamingCall<any, unknown> = (call) => {
      const who = caller(call);
      const abort = new AbortController();
      call.on("cancelled", () => abort.abort());
      call.on("close", () => abort.abort());
      authenticate(call.metadata, adminToken)
        .then(() => fn(call.request as never, ctx, (m) => call.write(m), abort.signal))
        .then(
          () => call.end(),
          (err) => {
            logFailure(deps, who, name, call.request, err);
            call.emit("error", toServiceError(err));
          },
        );
    };
    handlers[name] = handle;
  }
  return handlers;
}

async function authenticate(metadata: grpc.Metadata, adminToken: AdminToken): Promise<void> {
  const header = metadata.get("authorization")[0];
  if (typeof header !== "string" || header.length === 0) {
    throw new TrackerError("UNAUTHENTICATED", "missing authorization metadata: send 'authorization: Bearer <admin token>'");
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m || !adminToken.matches(m[1])) {
    throw new TrackerError("UNAUTHENTICATED", "wrong admin token (see admin-token in the server's data directory)");
  }
}

function caller(call: { getPeer(): string }): string {
  return call.getPeer();
}

function logFailure(deps: AdminDeps, who: string, action: string, request: unknown, err: unknown): void {
  if (err instanceof TrackerError) {
    deps.log.warn({ who, action, request, outcome: err.code, reason: err.message }, "admin action");
  } else {
    deps.log.error({ who, action, request, outcome: "INTERNAL", err }, "admin action");
  }
}
