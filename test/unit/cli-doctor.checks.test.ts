import net from "node:net";
import * as grpc from "@grpc/grpc-js";
import t from "tap";
import { formatDoctorReport, probeAgentId, runDoctor } from "../../agent/cli-doctor";
import type { AgentCredential } from "../../agent/credentials";
import { clockVerdict, type CheckResult } from "../../agent/doctor-checks";
import { ERROR_CODE_TRAILER } from "../../shared/errors";
import { startSimulator } from "../sim/server";
import { startFakeCoordinator, testConfig } from "./helpers/fake-coordinator";

const byName = (results: CheckResult[]) =>
  Object.fromEntries(results.map((result) => [result.name, result.verdict]));

const credential: AgentCredential = {
  serverAddress: "",
  agentId: "enrolled-agent",
  secret: "s",
  fingerprint: "",
  caPem: "",
  releasePublicKeyPem: "k",
  enrolledAt: "",
};

t.test("against a working server and API every check passes but TLS and enrollment", async (t) => {
  const coordinator = await startFakeCoordinator();
  t.teardown(() => coordinator.close());
  const sim = await startSimulator({ seed: 3, idsPerPlatform: 100 });
  t.teardown(() => sim.close());

  const serverSide = coordinator.nextSession().then(async (session) => {
    const hello = await session.next("hello");
    session.send({ $case: "config", value: testConfig(`${sim.url}/wotx`, { applicationId: "demo-key" }) });
    await session.ended;
    return { hello, wants: session.all("want").length };
  });
  const options = { credential: null, localAgentId: "local-1", agentRunning: false };
  const results = await runDoctor({ server: coordinator.address, ...options });

  t.same(byName(results), {
    "server reachable (TCP)": "ok",
    TLS: "warn",
    credential: "warn",
    "server reachable (gRPC)": "ok",
    "API reachable": "ok",
    "clock skew": "ok",
  });
  const { hello, wants } = await serverSide;
  t.equal(hello.agentId, probeAgentId("local-1"), "an unenrolled doctor uses a probe id");
  t.equal(wants, 0, "the doctor never asks for work");
});

t.test("an API key the API refuses fails the API check with the API's message", async (t) => {
  const coordinator = await startFakeCoordinator();
  t.teardown(() => coordinator.close());
  const sim = await startSimulator({ seed: 3, idsPerPlatform: 100 });
  t.teardown(() => sim.close());

  void coordinator.nextSession().then(async (session) => {
    await session.next("hello");
    session.send({ $case: "config", value: testConfig(`${sim.url}/wotx`, { applicationId: "nope" }) });
  });
  const options = { credential: null, localAgentId: "local-2", agentRunning: false };
  const results = await runDoctor({ server: coordinator.address, ...options });
  const api = results.find((result) => result.name === "API reachable");
  t.match(api, { verdict: "fail", detail: /INVALID_APPLICATION_ID/ });
});

t.test("a server that refuses the credential is reachable, and the credential fails", async (t) => {
  const coordinator = await startFakeCoordinator();
  t.teardown(() => coordinator.close());

  void coordinator.nextSession().then(async (session) => {
    const hello = await session.next("hello");
    const metadata = new grpc.Metadata();
    metadata.set(ERROR_CODE_TRAILER, "AGENT_CREDENTIAL_INVALID");
    const details = `unknown agent ${hello.agentId}`;
    session.call.emit("error", { code: grpc.status.UNAUTHENTICATED, details, metadata });
  });
  const options = { credential, localAgentId: "unused", agentRunning: false };
  const results = await runDoctor({ server: coordinator.address, ...options });

  t.match(byName(results), {
    "server reachable (gRPC)": "ok",
    credential: "fail",
    "API reachable": "skip",
  });
  t.match(results.find((result) => result.name === "credential"), {
    detail: /AGENT_CREDENTIAL_INVALID/,
  });
});

t.test("a closed port fails TCP and skips what depends on it", async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const options = { credential: null, localAgentId: "x", agentRunning: false };
  const results = await runDoctor({ server: `127.0.0.1:${port}`, ...options, timeoutMs: 2_000 });
  t.same(byName(results), {
    "server reachable (TCP)": "fail",
    TLS: "warn",
    credential: "warn",
    "server reachable (gRPC)": "skip",
    "API reachable": "skip",
    "clock skew": "skip",
  });
  const report = formatDoctorReport(`127.0.0.1:${port}`, results);
  t.match(report, /\n {2}fail {2}server reachable \(TCP\) +127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  t.match(report, /problems found: 0 ok, 2 warnings, 1 failed, 3 skipped\n$/);
});

t.test("an enrolled agent that is running is not pushed off the server by the doctor", async (t) => {
  const coordinator = await startFakeCoordinator();
  t.teardown(() => coordinator.close());
  let sessions = 0;
  void coordinator.nextSession().then(() => (sessions += 1));

  const options = { credential, localAgentId: "x", agentRunning: true };
  const results = await runDoctor({ server: coordinator.address, ...options });
  t.match(byName(results), { "server reachable (TCP)": "ok", "server reachable (gRPC)": "skip" });
  t.equal(sessions, 0, "no Session was opened");
});

t.test("clock skew is judged from the Date header against the middle of the round trip", async (t) => {
  const at = Date.UTC(2026, 5, 1, 12, 0, 0);
  const probe = (serverMs: number) => ({
    sentAtMs: at - 100,
    answeredAtMs: at + 100,
    serverDate: new Date(serverMs).toUTCString(),
  });
  t.match(clockVerdict(probe(at)), { verdict: "ok", detail: "within 1 s of the server" });
  t.match(clockVerdict(probe(at - 30_000)), { verdict: "warn", detail: /^30\.0 s ahead of/ });
  t.match(clockVerdict(probe(at + 120_000)), { verdict: "fail", detail: /^120\.0 s behind/ });
  t.match(clockVerdict({ sentAtMs: at, answeredAtMs: at }), { verdict: "skip" });
});
