import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import {
  launchdPlist,
  systemdQuote,
  systemdUnit,
  utf16WithBom,
  windowsQuote,
  windowsTaskXml,
  type ServiceSpec,
} from "../../agent/service-files";

function spec(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    scope: "user",
    program: "/opt/tracker agent/tracker-agent",
    args: ["run", "--server", "tracker.example.org:7400", "--name", "Anna's PC"],
    env: {},
    crashLogFile: "/home/anna/.local/state/battle-tracker/service-stderr.log",
    windowsUser: "HOME\\anna",
    ...overrides,
  };
}

t.test("a systemd user unit restarts the agent, niced, and starts with the user manager", async (t) => {
  const unit = systemdUnit(spec());
  const command = '"/opt/tracker agent/tracker-agent" run --server tracker.example.org:7400';
  t.ok(unit.includes(`\nExecStart=${command} --name "Anna's PC"\n`), unit);
  t.match(unit, /^Restart=always$/m);
  t.match(unit, /^Nice=10$/m);
  t.match(unit, /^WantedBy=default\.target$/m);
  t.notMatch(unit, /network-online/, "the user manager has no network-online.target");
});

t.test("a systemd system unit waits for the network and is wanted by multi-user.target", async (t) => {
  const unit = systemdUnit(spec({ scope: "system", env: { TRACKER_X: "a b" } }));
  t.match(unit, /^After=network-online\.target$/m);
  t.match(unit, /^WantedBy=multi-user\.target$/m);
  t.match(unit, /^Environment="TRACKER_X=a b"$/m);
});

t.test("systemd quoting doubles % and $ and escapes quotes and backslashes", async (t) => {
  t.equal(systemdQuote("plain/word:1"), "plain/word:1");
  t.equal(systemdQuote("100%"), "100%%");
  t.equal(systemdQuote("$HOME"), '"$$HOME"');
  t.equal(systemdQuote('say "hi" \\'), '"say \\"hi\\" \\\\"');
});

const analyzer = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const noAnalyzer = analyzer.error
  ? "systemd-analyze is not installed here (Debian's systemd package provides it)"
  : false;

t.test("systemd-analyze verify accepts the generated system unit", { skip: noAnalyzer }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unit-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const program = path.join(dir, "tracker-agent");
  fs.copyFileSync("/bin/true", program);
  fs.chmodSync(program, 0o755);
  const file = path.join(dir, "battle-tracker-agent.service");
  const args = ["run", "--server", "h:1", "--name", "A 100% \"odd\" name"];
  fs.writeFileSync(file, systemdUnit(spec({ scope: "system", program, args })));

  const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  const complaints = result.stderr
    .split("\n")
    .filter((line) => line.includes("battle-tracker-agent.service"));
  t.same(complaints, [], "no complaint names the unit");
  t.equal(result.status, 0, result.stderr);
});

t.test("a launchd plist runs the program with its arguments, at load and kept alive", async (t) => {
  const plist = launchdPlist(spec({ env: { TRACKER_AGENT_HOME: "/Library/A&B" } }));
  t.match(plist, /<key>Label<\/key>\n  <string>org\.battle-tracker\.agent<\/string>/);
  const args = [...plist.matchAll(/^    <string>(.*)<\/string>$/gm)].map((m) => m[1]);
  t.same(args.slice(0, 6), [
    "/opt/tracker agent/tracker-agent",
    "run",
    "--server",
    "tracker.example.org:7400",
    "--name",
    "Anna&apos;s PC",
  ]);
  t.match(plist, /<key>TRACKER_AGENT_HOME<\/key>\n    <string>\/Library\/A&amp;B<\/string>/);
  t.match(plist, /<key>KeepAlive<\/key>\n  <true\/>/);
  t.match(plist, /<key>RunAtLoad<\/key>\n  <true\/>/);
  t.equal((plist.match(/<dict>/g) ?? []).length, (plist.match(/<\/dict>/g) ?? []).length);
});

t.test("a Windows logon task runs as the volunteer; a boot task as LocalSystem", async (t) => {
  const logon = windowsTaskXml(spec());
  const trigger = "<LogonTrigger>\r\n      <Enabled>true</Enabled>\r\n      <UserId>HOME\\anna</UserId>";
  t.ok(logon.includes(trigger), "logon trigger for the volunteer");
  t.match(logon, /<LogonType>InteractiveToken<\/LogonType>/);
  const args = "run --server tracker.example.org:7400 --name &quot;Anna&apos;s PC&quot;";
  t.ok(logon.includes(`<Arguments>${args}</Arguments>`), "arguments quoted, then XML-escaped");
  t.match(logon, /<ExecutionTimeLimit>PT0S<\/ExecutionTimeLimit>/);

  const boot = windowsTaskXml(spec({ scope: "system" }));
  t.match(boot, /<BootTrigger>/);
  t.match(boot, /<UserId>S-1-5-18<\/UserId>/);
  t.notMatch(boot, /LogonTrigger/);
});

t.test("the task file is UTF-16LE with a byte order mark, as schtasks reads it", async (t) => {
  const bytes = utf16WithBom(windowsTaskXml(spec()));
  t.same([...bytes.subarray(0, 4)], [0xff, 0xfe, 0x3c, 0x00], "BOM then '<' in UTF-16LE");
  t.match(bytes.subarray(2).toString("utf16le"), /^<\?xml version="1\.0" encoding="UTF-16"\?>/);
});

t.test("Windows arguments are quoted the way the C runtime splits them", async (t) => {
  t.equal(windowsQuote("plain"), "plain");
  t.equal(windowsQuote("two words"), '"two words"');
  t.equal(windowsQuote('say "hi"'), '"say \\"hi\\""');
  t.equal(windowsQuote("C:\\dir with space\\"), '"C:\\dir with space\\\\"');
  t.equal(windowsQuote(""), '""');
});
