import * as grpc from "@grpc/grpc-js";
import { AgentServiceClient } from "../shared/gen/tracker/v1/agent";

/** Largest message either way: a 100-player BatchResult is a few KB, a Config far less. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Ping an idle connection this often, so a dead server or NAT is noticed within a minute. */
export const KEEPALIVE_TIME_MS = 30_000;
/** A ping unanswered for this long closes the connection. */
export const KEEPALIVE_TIMEOUT_MS = 10_000;

/** A client for the coordinator at host:port, plaintext for now. */
export function createAgentServiceClient(server: string): AgentServiceClient {
  // LIMITATION: the agent talks plaintext gRPC; TLS with a pinned certificate comes with enroll.
  const credentials = grpc.credentials.createInsecure();
  return new AgentServiceClient(server, credentials, {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
    "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
  });
}
