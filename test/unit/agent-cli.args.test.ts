import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { agentHomeDir, loadOrCreateAgentId } from "../../agent/agent-home";
import { parseCliArgs, UsageError } from "../../agent/cli-args";

t.test("run is the default command and --server may come from TRACKER_SERVER", async (t) => {
  const command = parseCliArgs([], { TRACKER_SERVER: "127.0.0.1:7400" });
  t.same(command, {
    command: "run",
    server: "127.0.0.1:7400",
    name: undefined,
    capacity: 4,
    agentId: undefined,
  });
});

t.test("flags are read for run, and version and help are commands", async (t) => {
  const argv = ["run", "--server", "h:1", "--name", "N", "--capacity", "8", "--agent-id", "a-1"];
  t.match(parseCliArgs(argv, {}), { server: "h:1", name: "N", capacity: 8, agentId: "a-1" });
  t.same(parseCliArgs(["version"], {}), { command: "version" });
  t.same(parseCliArgs(["--help"], {}), { command: "help" });
});

t.test("bad flags are usage errors", async (t) => {
  const bad = [
    ["--server", "nohostport"],
    ["--server", "h:99999"],
    ["--server", "h:1", "--capacity", "0"],
    ["--server", "h:1", "--capacity", "x"],
    ["--server", "h:1", "--bogus"],
    ["fly", "--server", "h:1"],
  ];
  for (const argv of bad) t.throws(() => parseCliArgs(argv, {}), UsageError, argv.join(" "));
});

t.test("the config dir follows the OS and TRACKER_AGENT_HOME overrides it", async (t) => {
  t.equal(agentHomeDir({ TRACKER_AGENT_HOME: "/x" }, "linux", "/h"), "/x");
  t.equal(agentHomeDir({}, "linux", "/h"), "/h/.config/battle-tracker");
  t.equal(agentHomeDir({ XDG_CONFIG_HOME: "/c" }, "linux", "/h"), "/c/battle-tracker");
  t.equal(agentHomeDir({}, "darwin", "/h"), "/h/Library/Application Support/battle-tracker");
  t.equal(agentHomeDir({ APPDATA: "C:\\A" }, "win32", "C:\\h"), "C:\\A\\battle-tracker");
});

t.test("an agent id is generated once and kept", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-home-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = loadOrCreateAgentId(path.join(dir, "nested"));
  t.equal(loadOrCreateAgentId(path.join(dir, "nested")), first);
  t.match(first, /^[0-9a-f-]{36}$/);
});
