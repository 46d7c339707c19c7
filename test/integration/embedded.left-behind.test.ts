import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import t from "tap";
import { startEmbeddedPostgres } from "../../server/db/embedded";
import { silentLogger } from "../../shared/log";
import { distEntry, spawnNode } from "../support/child-process";

const log = silentLogger();

function postmasterPid(dir: string): number {
  const file = path.join(dir, "pgdata", "postmaster.pid");
  return Number(fs.readFileSync(file, "utf8").split("\n")[0]);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

t.test("a cluster left by a server killed with SIGKILL is stopped and restarted, data kept", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-embedded-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const holder = spawnNode(distEntry("test/support/embedded-holder.js"), [dir]);
  const { url } = JSON.parse(await holder.waitForLine(/"event":"started"/, 60_000));
  const before = postgres(url, { max: 1, onnotice: false });
  await before`CREATE TABLE kept (n int)`;
  await before`INSERT INTO kept VALUES (7)`;
  await before.end();

  await holder.stop("SIGKILL", 5_000);
  const leftBehind = postmasterPid(dir);
  t.teardown(() => {
    if (running(leftBehind)) process.kill(leftBehind, "SIGKILL");
  });
  t.ok(running(leftBehind), "the postmaster outlived the process that started it");

  const again = await startEmbeddedPostgres({ dataDir: dir, log, durable: false });
  t.teardown(() => again.stop());
  t.notOk(running(leftBehind), "the left-behind postmaster was stopped");
  const after = postgres(again.url, { max: 1, onnotice: false });
  const [row] = await after`SELECT n FROM kept`;
  await after.end();
  t.equal(row.n, 7, "committed data kept");
});

t.test("a cluster whose server still runs is not taken over", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-embedded-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const holder = spawnNode(distEntry("test/support/embedded-holder.js"), [dir]);
  t.teardown(() => holder.stop("SIGTERM", 10_000));
  await holder.waitForLine(/"event":"started"/, 60_000);

  await t.rejects(startEmbeddedPostgres({ dataDir: dir, log, durable: false }), {
    message: new RegExp(`another process \\(pid ${holder.child.pid}\\) runs the embedded`),
  });
  t.ok(running(postmasterPid(dir)), "the other server's postmaster still runs");
});
