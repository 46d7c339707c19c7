import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { saveCredential } from "../../agent/credentials";
import { readStatusFile } from "../../agent/status-file";
import { distEntry, spawnNode } from "../support/child-process";
import { startFakeCoordinator, testConfig } from "./helpers/fake-coordinator";

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test("a running agent keeps a status file that status reads, and a log file", async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "agent-run-"));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const coordinator = await startFakeCoordinator();
  t.teardown(() => coordinator.close());
  saveCredential(home, {
    serverAddress: coordinator.address,
    agentId: "status-test-agent",
    secret: "not-checked-by-the-fake",
    fingerprint: "",
    caPem: "",
    releasePublicKeyPem: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
    enrolledAt: new Date().toISOString(),
  });
  const env = { TRACKER_AGENT_HOME: home, LOG_LEVEL: "info" };
  const main = distEntry("agent/main.js");
  const status = () => spawnSync(process.execPath, [main, "status"], { env, encoding: "utf8" });

  const agent = spawnNode(main, ["run", "--name", "status test"], env);
  t.teardown(() => agent.stop());
  const exited = new Promise<never>((_, reject) => {
    agent.child.once("exit", (code) => {
      reject(new Error(`agent exited (${code}): ${agent.lines.join("\n")}`));
    });
  });
  exited.catch(() => undefined);
  const session = await Promise.race([coordinator.nextSession(), exited]);
  const hello = await session.next("hello");
  t.equal(hello.agentId, "status-test-agent");
  session.send({ $case: "config", value: testConfig("http://127.0.0.1:9/wotx") });
  session.send({ $case: "ack", value: { leaseId: 1, players: 0 } });

  const written = await until(() => {
    const current = readStatusFile(home);
    return current?.connected && current.batchesToday === 1 ? current : undefined;
  }, "a status file saying connected with one batch");
  t.match(written, { server: coordinator.address, stoppedAtMs: null, batchesTotal: 1 });

  const running = status();
  t.equal(running.status, 0, running.stderr);
  t.match(running.stdout, new RegExp(`^running: connected to ${coordinator.address}, 1 batch today`));

  t.equal(await agent.stop(), 0, "SIGTERM ends the agent cleanly");
  const stopped = status();
  t.equal(stopped.status, 3);
  t.match(stopped.stdout, /^no agent is running: the last one stopped at /);

  const log = fs.readFileSync(path.join(home, "agent.log"), "utf8");
  t.match(log, /"msg":"agent started"/, "the log file has the agent's lines");
  t.ok(agent.lines.some((line) => line.includes('"msg":"agent started"')), "and so has stdout");
});
