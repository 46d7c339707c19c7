import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { credentialMetadata, type AgentCredential } from "../../agent/credentials";
import { agentChannelCredentials, createAgentServiceClient } from "../../agent/grpc-channel";
import { ERROR_CODE_TRAILER } from "../../shared/errors";
import type { AgentMessage, ServerMessage } from "../../shared/gen/tracker/v1/agent";

/** How a Session opened by hand ended: the error code trailer, or "config" when it worked. */
export interface SessionOutcome {
  code: string;
  details: string;
  stream: grpc.ClientDuplexStream<AgentMessage, ServerMessage>;
}

/**
 * Opens a Session over the agent's pinned TLS with the given credential metadata (none when
 * `metadata` is null), says Hello, and resolves at the first Config ("config") or error.
 */
export async function openSession(
  server: string,
  pin: Pick<AgentCredential, "fingerprint" | "caPem">,
  metadata: Pick<AgentCredential, "agentId" | "secret"> | null,
): Promise<SessionOutcome & { close(): void }> {
  const client = createAgentServiceClient(server, agentChannelCredentials(pin));
  const stream = client.session(metadata ? credentialMetadata(metadata) : new grpc.Metadata());
  const hello = { agentId: "ignored", agentName: "probe", version: "0.0.0", os: "linux", arch: "x64", capacity: 1 };
  stream.write({ kind: { $case: "hello", value: hello } });

  const outcome = await new Promise<{ code: string; details: string }>((resolve) => {
    stream.on("data", (m: ServerMessage) => {
      if (m.kind?.$case === "config") resolve({ code: "config", details: "" });
    });
    stream.on("error", (err: grpc.ServiceError) => {
      resolve({ code: String(err.metadata?.get(ERROR_CODE_TRAILER)[0] ?? err.code), details: err.details });
    });
  });
  return {
    ...outcome,
    stream,
    close() {
      stream.cancel();
      client.close();
    },
  };
}

/** Resolves with the error code trailer the stream ends with. */
export async function nextErrorCode(stream: grpc.ClientDuplexStream<AgentMessage, ServerMessage>): Promise<string> {
  const [err] = (await once(stream, "error")) as [grpc.ServiceError];
  return String(err.metadata?.get(ERROR_CODE_TRAILER)[0] ?? err.code);
}
