import * as grpc from "@grpc/grpc-js";
import { AgentServiceClient } from "../shared/gen/tracker/v1/agent";
import { pinnedChannelCredentials } from "./tls";

/** Largest message either way: a 100-player BatchResult is a few KB, a Config far less. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Ping an idle connection this often, so a dead server or NAT is noticed within a minute. */
export const KEEPALIVE_TIME_MS = 30_000;
/** A ping unanswered for this long closes the connection. */
export const KEEPALIVE_TIMEOUT_MS = 10_000;

/**
 * TLS trusting the server's CA and pinned to its certificate's fingerprint; plaintext only for
 * a server whose token had no fingerprint, which enroll allows on loopback alone.
 */
export function agentChannelCredentials(pin: { fingerprint: string; caPem: string }): grpc.ChannelCredentials {
  if (!pin.fingerprint) return grpc.credentials.createInsecure();
  return pinnedChannelCredentials(pin.caPem, pin.fingerprint);
}

/**
 * A client for the coordinator at host:port. `metadata` (the agent's credential) is added to
 * every call, by an interceptor so that no call site can forget it.
 */
export function createAgentServiceClient(
  server: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  metadata?: grpc.Metadata,
): AgentServiceClient {
  const interceptors = metadata ? [addMetadata(metadata)] : [];
  return new AgentServiceClient(server, credentials, {
    interceptors,
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
    "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
    ...TLS_NAME_OPTION,
  });
}

/**
 * The TLS server name sent in the handshake. The certificate is checked by its pinned
 * fingerprint, not its name, so any fixed name does; a DNS-style one keeps Node from warning
 * (DEP0123) on every connection when the coordinator is reached by IP address.
 */
export const TLS_NAME_OPTION = { "grpc.ssl_target_name_override": "battle-tracker" };

function addMetadata(extra: grpc.Metadata): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.merge(extra);
        next(metadata, listener);
      },
    });
}
