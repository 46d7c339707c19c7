import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import t from "tap";
import { hashSecret } from "../../server/enrollment/secrets";
import { AGENT_ID_METADATA, AGENT_SECRET_METADATA } from "../../shared/agent-credential";
import {
  AgentServiceClient,
  type AgentMessage,
  type ServerMessage,
} from "../../shared/gen/tracker/v1/agent";
import { startCluster } from "../support/cluster";

/** More sessions than one lease query serves, so several queries run at once. */
const SESSIONS = 300;
/** Each session asks for this many batches in all: one Want, then two more at once. */
const WANTED = 3;

interface Held {
  session: number;
  leaseId: number;
  firstId: number;
}

const title = "many sessions asking at once get each batch once and exactly the credit they asked";
t.test(title, async (t) => {
  // 2 x (49,000 + 1,000) ids in batches of 100: 1,000 batches for 900 asks.
  const cluster = await startCluster(t, {
    sim: { idsPerPlatform: 49_000 },
    server: { "agent.tls": false },
  });
  const secret = randomBytes(32).toString("base64url");
  const ids = Array.from({ length: SESSIONS }, (_, i) => `asker-${i}`);
  await cluster.db.sql`
    INSERT INTO agents (id, name, secret_hash)
    SELECT id, 'asker', ${hashSecret(secret)} FROM unnest(${ids}::text[]) AS id`;
  await cluster.admin.call("startRound", { statDay: cluster.sim.sim.truth(1).date });

  const client = new AgentServiceClient(
    `127.0.0.1:${cluster.server.agentPort}`,
    grpc.credentials.createInsecure(),
  );
  t.teardown(() => client.close());
  const assigned: Held[] = [];
  const configured = new Set<number>();
  const calls = ids.map((agentId, session) => {
    const metadata = new grpc.Metadata();
    metadata.set(AGENT_ID_METADATA, agentId);
    metadata.set(AGENT_SECRET_METADATA, secret);
    const call = client.session(metadata);
    const want: AgentMessage = { kind: { $case: "want", value: { credit: 1 } } };
    call.on("data", (message: ServerMessage) => {
      const kind = message.kind;
      if (kind?.$case === "config" && !configured.has(session)) {
        configured.add(session);
        call.write(want);
      } else if (kind?.$case === "assign") {
        const { leaseId, accountIds } = kind.value;
        const first = !assigned.some((a) => a.session === session);
        assigned.push({ session, leaseId, firstId: accountIds[0] });
        // Two Wants back to back: the second may come while a query serves the first.
        if (first) {
          call.write(want);
          call.write(want);
        }
      }
    });
    call.on("error", () => undefined);
    const hello = { agentId, agentName: "asker", version: "test", os: "linux", arch: "x64" };
    call.write({ kind: { $case: "hello", value: { ...hello, capacity: 1 } } });
    return call;
  });
  t.teardown(() => calls.forEach((c) => c.cancel()));

  const batches = Number((await cluster.db.sql`SELECT count(*) AS n FROM batches`)[0].n);
  const expected = SESSIONS * WANTED;
  t.ok(batches >= expected, `${batches} batches for ${expected} asks`);
  const deadline = Date.now() + 30_000;
  while (assigned.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Nothing more may come: no session asked for more than WANTED.
  await new Promise((r) => setTimeout(r, 1500));
  t.comment(`${assigned.length} assignments of ${batches} batches to ${SESSIONS} sessions`);

  t.equal(assigned.length, expected, "every ask was served, none past the credit asked");
  t.equal(new Set(assigned.map((a) => a.leaseId)).size, assigned.length, "lease ids distinct");
  t.equal(new Set(assigned.map((a) => a.firstId)).size, assigned.length, "each batch once");
  const perSession = new Map<number, number>();
  for (const a of assigned) perSession.set(a.session, (perSession.get(a.session) ?? 0) + 1);
  const exact = [...perSession.values()].filter((n) => n === WANTED).length;
  t.equal(exact, SESSIONS, `every session got exactly the ${WANTED} batches it asked for`);

  const [held] = await cluster.db.sql`
    SELECT count(*) FILTER (WHERE state = 'leased') AS leased FROM batches`;
  t.equal(Number(held.leased), assigned.length, "the database holds the same leases");
});
