import type * as grpc from "@grpc/grpc-js";
import { ERROR_CODE_TRAILER } from "../shared/errors";
import type { AgentServiceClient } from "../shared/gen/tracker/v1/agent";
import type { Logger } from "../shared/log";
import { agentHomeDir } from "./agent-home";
import { enrolledClient, NotEnrolledError } from "./credentials";

/** Exit code when the server will never take this credential: enroll again. */
export const EXIT_NOT_ENROLLED = 3;

/** Refusals that reconnecting cannot cure. A ban can be lifted, so the agent keeps trying. */
const CREDENTIAL_REFUSALS = new Set(["AGENT_NOT_ENROLLED", "AGENT_CREDENTIAL_INVALID", "AGENT_REVOKED"]);

/**
 * The enrolled client for `run`, or, when the agent has not enrolled, a clear message on stderr
 * and exit code 3.
 */
export function enrolledClientOrExit(serverOverride: string): ReturnType<typeof enrolledClient> {
  try {
    return enrolledClient(agentHomeDir(), serverOverride);
  } catch (err) {
    if (!(err instanceof NotEnrolledError)) throw err;
    process.stderr.write(`tracker-agent: ${err.message}\n`);
    process.exit(EXIT_NOT_ENROLLED);
  }
}

/**
 * The same client; when a Session ends because the server refuses the credential itself
 * (revoked, unknown, missing), `onRefused` is called once with the server's explanation.
 */
export function watchCredentialRefusals(
  client: AgentServiceClient,
  log: Logger,
  onRefused: (code: string, message: string) => void,
): AgentServiceClient {
  let refused = false;
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== "session" || typeof value !== "function") return value;

      return (...args: unknown[]) => {
        const call = (value as (...a: unknown[]) => ReturnType<AgentServiceClient["session"]>).apply(target, args);
        call.on("error", (err: grpc.ServiceError) => {
          const code = String(err.metadata?.get(ERROR_CODE_TRAILER)[0] ?? "");
          if (code === "AGENT_BANNED") log.error({ code, reason: err.details }, "agent banned by the admin");
          if (refused || !CREDENTIAL_REFUSALS.has(code)) return;
          refused = true;
          log.error({ code, reason: err.details }, "credential refused");
          onRefused(code, err.details);
        });
        return call;
      };
    },
  });
}
