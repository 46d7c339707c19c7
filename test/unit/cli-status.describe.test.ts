import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import t from "tap";
import { describeStatus, EXIT_NOT_RUNNING, runStatusCommand } from "../../agent/cli-status";
import { writeStatusFile, STATUS_STALE_MS, type AgentStatus } from "../../agent/status-file";

const nowMs = Date.UTC(2026, 5, 1, 12, 0, 0);

function status(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    pid: 4242,
    version: "1.2.3",
    server: "tracker.example.org:7400",
    startedAtMs: nowMs - 3_600_000,
    updatedAtMs: nowMs - 2_000,
    stoppedAtMs: null,
    logFile: "/data/agent.log",
    connected: true,
    connectedSinceMs: nowMs - 60_000,
    day: "2026-06-01",
    batchesToday: 17,
    batchesTotal: 40,
    requestsPerSecond: 1.84,
    ...overrides,
  };
}

const alive = () => true;
const dead = () => false;

t.test("a running, connected agent is one line with batches, rate and version", async (t) => {
  const verdict = describeStatus(status(), "/data/status.json", nowMs, alive);
  t.same(verdict, {
    running: true,
    line:
      "running: connected to tracker.example.org:7400, 17 batches today, 1.8 requests/s, " +
      "version 1.2.3 (pid 4242)",
  });
});

t.test("a running agent without a session says it is not connected", async (t) => {
  const verdict = describeStatus(status({ connected: false }), "f", nowMs, alive);
  t.equal(verdict.running, true);
  t.match(verdict.line, /^running: not connected \(server tracker\.example\.org:7400\), 17/);
});

t.test("no status file, a stopped agent, a dead pid and a stale file all say none runs", async (t) => {
  const none = describeStatus(null, "/data/status.json", nowMs, alive);
  t.same(none, { running: false, line: "no agent is running: no status file at /data/status.json" });

  const stopped = describeStatus(status({ stoppedAtMs: nowMs - 1000 }), "f", nowMs, alive);
  t.equal(stopped.running, false);
  t.match(stopped.line, /^no agent is running: the last one stopped at 2026-06-01 11:59:59 UTC/);

  const crashed = describeStatus(status(), "f", nowMs, dead);
  t.equal(crashed.running, false);
  t.match(crashed.line, /^no agent is running: the last one \(pid 4242, version 1\.2\.3\)/);

  const stale = status({ updatedAtMs: nowMs - STATUS_STALE_MS - 1 });
  t.equal(describeStatus(stale, "f", nowMs, alive).running, false, "a hung agent is not running");
});

t.test("status reads the file the agent writes and exits 3 when none runs", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "status-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (out: PassThrough) => (out.read() as Buffer | null)?.toString("utf8") ?? "";

  const before = new PassThrough();
  t.equal(runStatusCommand(dir, before), EXIT_NOT_RUNNING);
  t.match(read(before), /^no agent is running: no status file at /);

  writeStatusFile(dir, status({ pid: process.pid, updatedAtMs: Date.now() }));
  const after = new PassThrough();
  t.equal(runStatusCommand(dir, after), 0);
  t.match(read(after), new RegExp(`^running: connected .* \\(pid ${process.pid}\\)\\n$`));
});
