import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import { AGENT_ID_METADATA, AGENT_SECRET_METADATA } from "../../shared/agent-credential";
import { AgentServiceClient, type AgentMessage, type ServerMessage } from "../../shared/gen/tracker/v1/agent";

/**
 * Many light agent sessions in one process, for the scale benchmark: each says Hello, takes one
 * assignment at a time, "works" on it for workMs and reports it with no players (every id null),
 * then asks for the next. Assignment latency is the time from that Want to the next Assign; the
 * first Want is sent before the round starts, so its wait is reported apart ("firstWaits").
 * Args: server count idPrefix workMs secret; agent i is `<idPrefix>-<i>`, enrolled by the caller
 * with that secret. On SIGTERM prints one JSON line with the latencies (ms).
 */
function main(): void {
  const [server, countText, prefix, workText, secret] = process.argv.slice(2);
  const count = Number(countText);
  const workMs = Number(workText);
  const client = new AgentServiceClient(server, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 4 * 1024 * 1024,
  });
  const latencies: number[] = [];
  const firstWaits: number[] = [];
  let results = 0;
  const calls: grpc.ClientDuplexStream<AgentMessage, ServerMessage>[] = [];

  for (let i = 0; i < count; i++) {
    const metadata = new grpc.Metadata();
    metadata.set(AGENT_ID_METADATA, `${prefix}-${i}`);
    metadata.set(AGENT_SECRET_METADATA, secret);
    const call = client.session(metadata);
    calls.push(call);
    let wantAt = 0;
    let configured = false;
    let assigned = false;
    const want = () => {
      wantAt = performance.now();
      call.write({ kind: { $case: "want", value: { credit: 1 } } });
    };
    call.on("data", (message: ServerMessage) => {
      const kind = message.kind;
      if (kind?.$case === "config" && !configured) {
        configured = true;
        want();
      } else if (kind?.$case === "assign") {
        if (wantAt > 0) (assigned ? latencies : firstWaits).push(performance.now() - wantAt);
        assigned = true;
        wantAt = 0;
        const leaseId = kind.value.leaseId;
        setTimeout(() => {
          const value = { leaseId, fetchedAtMs: Date.now(), players: [], requests: 1, rateLimited: 0 };
          call.write({ kind: { $case: "batchResult", value } });
          results++;
          want();
        }, workMs);
      }
    });
    call.on("error", (err: Error) => {
      if (i === 0) process.stderr.write(`light client: ${err.message}\n`);
    });
    const hello = { agentId: `${prefix}-${i}`, agentName: "light", version: "bench", os: "linux", arch: "x64", capacity: 1 };
    call.write({ kind: { $case: "hello", value: hello } });
  }

  process.once("SIGTERM", () => {
    const round = (list: number[]) => list.map((l) => Math.round(l * 10) / 10);
    const report = { results, latencies: round(latencies), firstWaits: round(firstWaits) };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    for (const call of calls) call.cancel();
    client.close();
    setTimeout(() => process.exit(0), 200);
  });
}

main();
