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
import { enrollmentCalls } from "./enrollment";
import { releaseCalls } from "./releases";
import { failedBatchCalls } from "./failed-batches";
import { scheduleCalls } from "./round-schedule";
import type { DatabaseProbe } from "./database-probe";

/** What every admin call gets besides its request. */
export interface AdminContext extends AdminDeps {
  adminToken: AdminToken;
  probe: DatabaseProbe;
}

/** The handler object and a way to end the open WatchStatus streams (at shutdown). */
export interface AdminHandlers {
  handlers: grpc.UntypedServiceImplementation;
  endStreams(): void;
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
      ...scheduleCalls,
      ...failedBatchCalls,
      ...apiKeyCalls,
      ...realmCalls,
      ...summaryCalls,
      ...agentCalls,
      ...enrollmentCalls,
      ...releaseCalls,
      rotateAdminToken: async (_req: never, ctx: AdminContext) => ({
        token: ctx.adminToken.rotate(),
      }),
    },
    streams: statusCalls.streams,
  };
}

/**
 * The grpc-js handler object of AdminService: each call checks the bearer token, runs, logs who
 * did what with the outcome, and turns errors into coded gRPC statuses.
 */
export function adminHandlers(ctx: AdminContext): AdminHandlers {
  const deps = ctx;
  const adminToken = ctx.adminToken;
  const { unary, streams } = allCalls();
  const handlers: grpc.UntypedServiceImplementation = {};
  const open = new Set<AbortController>();

  for (const [name, fn] of Object.entries(unary)) {
    const handle: grpc.handleUnaryCall<any, unknown> = (call, callback) => {
      const who = caller(call);
      authenticate(call.metadata, adminToken)
        .then(() => fn(call.request as never, ctx))
        .then(
          (response) => {
            deps.log.info(
              { who, action: name, request: call.request, outcome: "ok" },
              "admin action",
            );
            callback(null, response);
          },
          (err) => {
            const coded = codedError(err);
            logFailure(deps, who, name, call.request, coded);
            callback(toServiceError(coded) as grpc.ServiceError);
          },
        );
    };
    handlers[name] = handle;
  }

  for (const [name, fn] of Object.entries(streams)) {
    const handle: grpc.handleServerStreamingCall<any, unknown> = (call) => {
      const who = caller(call);
      const abort = new AbortController();
      open.add(abort);
      call.on("cancelled", () => abort.abort());
      call.on("close", () => abort.abort());
      authenticate(call.metadata, adminToken)
        .then(() => {
          deps.log.info(
            { who, action: name, request: call.request, outcome: "streaming" },
            "admin action",
          );
          return fn(call.request as never, ctx, (m) => call.write(m), abort.signal);
        })
        .then(
          () => call.end(),
          (err) => {
            const coded = codedError(err);
            logFailure(deps, who, name, call.request, coded);
            call.emit("error", toServiceError(coded));
          },
        )
        .finally(() => open.delete(abort));
    };
    handlers[name] = handle;
  }
  return {
    handlers,
    endStreams: () => {
      for (const abort of open) abort.abort();
    },
  };
}

async function authenticate(metadata: grpc.Metadata, adminToken: AdminToken): Promise<void> {
  const header = metadata.get("authorization")[0];
  if (typeof header !== "string" || header.length === 0) {
    throw new TrackerError(
      "UNAUTHENTICATED",
      "missing authorization metadata: send 'authorization: Bearer <admin token>'",
    );
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m || !adminToken.matches(m[1])) {
    throw new TrackerError(
      "UNAUTHENTICATED",
      "wrong admin token (see admin-token in the server's data directory)",
    );
  }
}

/** postgres.js codes and SQLSTATEs that mean the database went away, not that the call was bad. */
const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P03",
]);

/** A lost database becomes DATABASE_UNAVAILABLE (UNAVAILABLE: try again), not INTERNAL. */
function codedError(err: unknown): unknown {
  if (err instanceof TrackerError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  if (CONNECTION_ERRORS.has(code) || code.startsWith("08")) {
    return new TrackerError("DATABASE_UNAVAILABLE", "PostgreSQL cannot be reached; try again", {
      cause: err,
    });
  }
  return err;
}

function caller(call: { getPeer(): string }): string {
  return call.getPeer();
}

function logFailure(
  deps: AdminDeps,
  who: string,
  action: string,
  request: unknown,
  err: unknown,
): void {
  if (err instanceof TrackerError) {
    const cause = err.cause === undefined ? {} : { err: err.cause };
    deps.log.warn(
      { who, action, request, outcome: err.code, reason: err.message, ...cause },
      "admin action",
    );
  } else {
    deps.log.error({ who, action, request, outcome: "INTERNAL", err }, "admin action");
  }
}
