import type { ServiceDefinition } from "@grpc/grpc-js";
import type { AgentMessage } from "../../shared/gen/tracker/v1/agent";

/**
 * Largest message an agent may send: a 100-player BatchResult is about 10 KB. A larger one is
 * refused with MESSAGE_TOO_LARGE and counted against the agent.
 */
export const AGENT_MAX_MESSAGE_BYTES = 256 * 1024;
/**
 * What gRPC itself accepts. Between the two limits the hub sees the message and can name the
 * agent; past this one gRPC ends the call with RESOURCE_EXHAUSTED before any of our code runs.
 */
// LIMITATION: a message over 1 MB is refused by gRPC itself before the tracker sees it, so it
// is not counted against the agent; messages between 256 KB and 1 MB are.
export const AGENT_TRANSPORT_MAX_BYTES = 4 * AGENT_MAX_MESSAGE_BYTES;

/** Wire size of each message decoded by a measured service, kept while the message lives. */
const sizes = new WeakMap<object, number>();

/** The size the message had on the wire, or 0 when it did not come through a measured service. */
export function encodedSize(message: AgentMessage): number {
  return sizes.get(message) ?? 0;
}

/**
 * The AgentService definition with a Session decoder that records each message's wire size,
 * because protobuf decoding drops unknown fields and re-encoding would understate it.
 */
export function measuredAgentService<T extends ServiceDefinition>(definition: T): T {
  const session = definition.session;
  if (!session) return definition;
  const decode = session.requestDeserialize;
  const requestDeserialize = (bytes: Buffer) => {
    const message = decode(bytes) as object;
    sizes.set(message, bytes.length);
    return message;
  };
  return { ...definition, session: { ...session, requestDeserialize } };
}
