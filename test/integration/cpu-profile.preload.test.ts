import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { distEntry, spawnNode } from "../support/child-process";
import { testDatabase } from "../support/pg";

const title = "the bench's profile preload writes the server's profile at SIGTERM and at exit";
t.test(title, async (t) => {
  const db = await testDatabase(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-prof-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sets = Object.entries({
    "agent.listen": "127.0.0.1:0",
    "admin.listen": "127.0.0.1:0",
    "metrics.listen": "",
    dataDir: path.join(dir, "data"),
  }).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const preload = distEntry("test/bench/cpu-profile.js");
  const server = spawnNode(distEntry("server/main.js"), sets, {
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
    PROF_DIR: dir,
    NODE_OPTIONS: `--require ${preload}`,
  });
  t.teardown(() => server.stop("SIGKILL"));
  await server.waitForLine(/"msg":"server ready"/, 60_000);

  const code = await server.stop("SIGTERM", 20_000);
  // The server's own shutdown ran to its end: the preload did not cut it short.
  t.equal(code, 0, "the server exited by its own shutdown");
  t.ok(server.lines.some((l) => l.includes('"msg":"server stopped"')), "it logged its stop");
  const pid = server.child.pid;
  for (const name of [`${pid}-main_js.cpuprofile`, `${pid}-main_js.shutdown.cpuprofile`]) {
    const file = path.join(dir, name);
    t.ok(fs.existsSync(file), `${name} written`);
    if (!fs.existsSync(file)) continue;
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as { samples: number[] };
    t.ok(profile.samples.length > 0, `${name} holds samples`);
  }
});
