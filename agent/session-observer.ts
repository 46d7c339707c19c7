import type { AgentServiceClient, ServerMessage } from "../shared/gen/tracker/v1/agent";

/**
 * The same client, but every message the server sends on a Session stream is also handed to
 * `onMessage`. This lets the volunteer-facing counters (batches acknowledged) watch the stream
 * without the session code knowing about them.
 */
export function observeSessions(
  client: AgentServiceClient,
  onMessage: (message: ServerMessage) => void,
): AgentServiceClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== "session" || typeof value !== "function") return value;

      return (...args: unknown[]) => {
        const call = (value as (...a: unknown[]) => ReturnType<AgentServiceClient["session"]>)
          .apply(target, args);
        call.on("data", onMessage);
        return call;
      };
    },
  });
}
