import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { sha256File } from "../../agent/build/checksums";
import { inspectExecutable } from "../../agent/build/inspect-executable";
import { VERSION } from "../../shared/version";
import { buildForTest } from "./build-helpers";

// One build serves both tests; it is the slow part (about 10 s).
const build = buildForTest(t, ["linux-x64"]);

t.test("the linux-x64 executable runs with an empty environment", async (t) => {
  const { outDir, built } = await build;
  const exe = path.join(outDir, "tracker-agent-linux-x64");
  t.same(built.map((agent) => agent.file), [exe]);

  // env -i: no PATH, no HOME, no NODE_OPTIONS; nothing of this machine's Node is used.
  const version = spawnSync("env", ["-i", exe, "version"], { encoding: "utf8" });
  t.equal(version.status, 0, version.stderr);
  t.equal(version.stdout, `${VERSION}\n`);
  t.equal(version.stderr, "", "no SEA warning or other noise");

  const help = spawnSync("env", ["-i", exe, "--help"], { encoding: "utf8" });
  t.equal(help.status, 0);
  t.match(help.stdout, /^Usage: tracker-agent/);
  t.match(help.stdout, /install-service/);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), "agent-home-"));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const status = spawnSync("env", ["-i", `TRACKER_AGENT_HOME=${home}`, exe, "status"], {
    encoding: "utf8",
  });
  t.equal(status.status, 3, "status exits 3 when no agent runs");
  t.match(status.stdout, /^no agent is running: no status file at /);

  const facts = inspectExecutable(fs.readFileSync(exe));
  t.match(facts, { format: "elf", machine: "x86_64", fuseFlipped: true });
});

t.test("SHA256SUMS lists each executable built with its SHA-256", async (t) => {
  const { outDir } = await build;
  const sums = fs.readFileSync(path.join(outDir, "SHA256SUMS"), "utf8");
  const exe = path.join(outDir, "tracker-agent-linux-x64");
  t.equal(sums, `${sha256File(exe)}  tracker-agent-linux-x64\n`);

  const check = spawnSync("sha256sum", ["--check", "SHA256SUMS"], {
    cwd: outDir,
    encoding: "utf8",
  });
  t.equal(check.status, 0, check.stdout + check.stderr);
});

t.test("two builds of the same sources give the same bytes", async (t) => {
  const first = await build;
  const second = await buildForTest(t, ["linux-x64"]);
  const name = "tracker-agent-linux-x64";
  t.equal(
    sha256File(path.join(second.outDir, name)),
    sha256File(path.join(first.outDir, name)),
    "reproducible from the pinned Node base",
  );
});
