import t from "tap";

t.setTimeout(60_000);
import { Agent } from "../../agent/agent";
import { startFakeCoordinator, testConfig } from "./helpers/fake-coordinator";
import { fixture, startWgStub } from "./helpers/wg-stub";

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function setup(t: Teardown, script: Parameters<typeof startWgStub>[0] = []) {
  const coordinator = await startFakeCoordinator();
  const stub = await startWgStub(script);
  const agent = new Agent({
    server: coordinator.address,
    agentId: "agent-test",
    agentName: "tester",
    capacity: 3,
    reconnect: { initialMs: 50, maxMs: 200 },
    closeGraceMs: 500,
  });
  void agent.start();
  t.teardown(async () => {
    await agent.stop();
    await stub.close();
    await coordinator.close();
  });
  return { coordinator, stub, agent };
}

const assign = (leaseId: number, accountIds: number[]) => ({
  $case: "assign" as const,
  value: { leaseId, roundId: 1, realm: "xbox", accountIds, leaseDeadlineMs: Date.now() + 60_000 },
});

t.test("hello, config and want come first, then an assignment returns a result", async (t) => {
  const { coordinator, stub } = await setup(t);
  const session = await coordinator.nextSession();

  const hello = await session.next("hello");
  t.equal(hello.agentId, "agent-test");
  t.equal(hello.agentName, "tester");
  t.equal(hello.capacity, 3);
  t.ok(hello.version);

  session.send({ $case: "config", value: testConfig(stub.baseUrl) });
  t.equal((await session.next("want")).credit, 3);

  session.send(assign(11, [5001, 5002, 5003]));
  const result = await session.next("batchResult");
  t.equal(result.leaseId, 11);
  t.equal(result.requests, 1);
  t.same(result.players.map((p) => p.accountId).sort(), [5001, 5002, 5003]);
  t.equal((await session.next("want")).credit, 1, "one credit back per finished assignment");

  session.send({ $case: "ack", value: { leaseId: 11, players: 3 } });
});

t.test("a revoked lease is aborted, reported nowhere, and its credit comes back", async (t) => {
  const { coordinator, stub } = await setup(t, [{ stall: true }]);
  const session = await coordinator.nextSession();
  await session.next("hello");
  session.send({ $case: "config", value: testConfig(stub.baseUrl, { requestTimeoutMs: 10_000 }) });
  await session.next("want");

  session.send(assign(21, [5001]));
  while (stub.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  session.send({ $case: "revoke", value: { leaseId: 21, reason: "test" } });

  t.equal((await session.next("want")).credit, 1);
  await new Promise((r) => setTimeout(r, 100));
  t.same(session.all("batchResult"), []);
  t.same(session.all("batchFailed"), []);
});

t.test("stop returns every lease held, half-closes the stream and ends the agent", async (t) => {
  const { coordinator, stub, agent } = await setup(t, [{ stall: true }, { stall: true }]);
  const session = await coordinator.nextSession();
  await session.next("hello");
  session.send({ $case: "config", value: testConfig(stub.baseUrl, { maxInFlight: 1 }) });
  await session.next("want");

  session.send(assign(31, [5001]));
  session.send(assign(32, [5002]));
  while (stub.requests.length === 0) await new Promise((r) => setTimeout(r, 10));

  await agent.stop();
  const failed = session.all("batchFailed");
  t.same(failed.map((f) => (f as { leaseId: number }).leaseId).sort(), [31, 32]);
  t.ok(failed.every((f) => (f as { returned: boolean }).returned));
  await session.ended;
});

t.test("a fatal API error reports fatal and holds credit until a new Config", async (t) => {
  const { coordinator, stub } = await setup(t, [
    { body: fixture("error-invalid-application-id.json") },
  ]);
  const session = await coordinator.nextSession();
  await session.next("hello");
  session.send({ $case: "config", value: testConfig(stub.baseUrl) });
  await session.next("want");

  session.send(assign(41, [5001]));
  const failed = await session.next("batchFailed");
  t.equal(failed.fatal, true);
  t.equal(failed.apiError, "INVALID_APPLICATION_ID");

  session.send(assign(42, [5002]));
  const returned = await session.next("batchFailed");
  t.equal(returned.leaseId, 42);
  t.equal(returned.returned, true, "new work is returned untried while paused");
  t.same(session.all("want").length, 1, "no credit while paused");

  session.send({ $case: "config", value: testConfig(stub.baseUrl) });
  t.equal((await session.next("want")).credit, 2);
});

t.test("a lost stream is reconnected with a fresh hello", async (t) => {
  const { coordinator, stub } = await setup(t);
  const first = await coordinator.nextSession();
  await first.next("hello");
  first.send({ $case: "config", value: testConfig(stub.baseUrl) });
  await first.next("want");
  first.call.end();

  const second = await coordinator.nextSession();
  t.equal((await second.next("hello")).agentId, "agent-test");
});

t.test("drain returns queued work, closes the stream and reconnects later", async (t) => {
  const { coordinator, stub } = await setup(t);
  const session = await coordinator.nextSession();
  await session.next("hello");
  session.send({ $case: "config", value: testConfig(stub.baseUrl) });
  await session.next("want");
  session.send({ $case: "drain", value: { reason: "restart" } });
  await session.ended;
  t.pass("the agent ended the stream after a drain");
});
