import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import t from "tap";
import { hashSecret } from "../../server/enrollment/secrets";
import { AGENT_ID_METADATA, AGENT_SECRET_METADATA } from "../../shared/agent-credential";
import { AgentServiceClient, type ServerMessage } from "../../shared/gen/tracker/v1/agent";
import { startCluster } from "../support/cluster";

const AGENTS = 60;
const RPS = 100;
/** The server keeps this share of a key's rate (rate-budget.ts HEADROOM). */
const BUDGET = RPS * 0.95;

interface Received {
  agent: number;
  requestsPerSecond: number;
}

const title = "agents joining one key at once get their shares in merged pushes, never over it";
t.test(title, async (t) => {
  const cluster = await startCluster(t, {
    server: { "agent.tls": false },
    apiKey: { applicationId: "many-key", requestsPerSecond: RPS },
  });
  const secret = randomBytes(32).toString("base64url");
  const ids = Array.from({ length: AGENTS }, (_, i) => `many-${i}`);
  await cluster.db.sql`
    INSERT INTO agents (id, name, secret_hash)
    SELECT id, 'many', ${hashSecret(secret)} FROM unnest(${ids}::text[]) AS id`;

  const client = new AgentServiceClient(
    `127.0.0.1:${cluster.server.agentPort}`,
    grpc.credentials.createInsecure(),
  );
  t.teardown(() => client.close());
  const received: Received[] = [];
  const calls = ids.map((agentId, agent) => {
    const metadata = new grpc.Metadata();
    metadata.set(AGENT_ID_METADATA, agentId);
    metadata.set(AGENT_SECRET_METADATA, secret);
    const call = client.session(metadata);
    call.on("data", (message: ServerMessage) => {
      if (message.kind?.$case !== "config") return;
      received.push({ agent, requestsPerSecond: message.kind.value.requestsPerSecond });
    });
    call.on("error", () => undefined);
    const hello = { agentId, agentName: "many", version: "test", os: "linux", arch: "x64" };
    call.write({ kind: { $case: "hello", value: { ...hello, capacity: 1 } } });
    return call;
  });
  t.teardown(() => calls.forEach((c) => c.cancel()));

  const settled = async (expected: (agent: number) => number) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const last = lastShares(received);
      if (ids.every((_, i) => Math.abs((last.get(i) ?? -1) - expected(i)) < 1e-9)) return;
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify([...last])}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await settled(() => BUDGET / AGENTS);

  // Unmerged, each join's end sent every settled holder a Config: 220 messages here, and
  // AGENTS² / 2 when joins come more than a second apart. Merged it is 1 to 2 per agent.
  t.ok(received.length <= AGENTS * 3, `${received.length} Config messages for ${AGENTS} joins`);
  let peak = 0;
  const held = new Map<number, number>();
  for (const r of received) {
    held.set(r.agent, r.requestsPerSecond);
    peak = Math.max(peak, [...held.values()].reduce((a, b) => a + b, 0));
  }
  t.ok(peak <= BUDGET * 1.001, `shares held at once peaked at ${peak.toFixed(2)} of ${BUDGET}`);

  // Half leave: the others' shares grow, in a push or two (unmerged: 1,362 messages).
  const before = received.length;
  const half = AGENTS / 2;
  for (const call of calls.slice(0, half)) call.cancel();
  const gone = lastShares(received);
  await settled((agent) => (agent < half ? gone.get(agent)! : BUDGET / half));
  const pushed = received.length - before;
  t.ok(pushed <= half * 3, `${pushed} Config messages after ${half} agents left`);
});

function lastShares(received: Received[]): Map<number, number> {
  const last = new Map<number, number>();
  for (const r of received) last.set(r.agent, r.requestsPerSecond);
  return last;
}
