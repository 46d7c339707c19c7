import t from "tap";
import type { RunCommand } from "../../agent/cli-args";
import { installPlan, serviceArgs, uninstallPlan, type ServiceHost } from "../../agent/service-plan";

const run: RunCommand = {
  command: "run",
  server: "tracker.example.org:7400",
  name: undefined,
  capacity: 4,
  agentId: undefined,
};

function host(platform: NodeJS.Platform, overrides: Partial<ServiceHost> = {}): ServiceHost {
  const windows = platform === "win32";
  return {
    platform,
    env: windows ? { USERDOMAIN: "HOME", ProgramData: "C:\\ProgramData" } : {},
    homeDir: windows ? "C:\\Users\\anna" : platform === "darwin" ? "/Users/anna" : "/home/anna",
    uid: 501,
    userName: "anna",
    launcher: windows ? ["C:\\Tools\\tracker-agent.exe"] : ["/opt/tracker-agent"],
    dataDir: windows ? "C:\\Users\\anna\\AppData\\Local\\battle-tracker" : "/data",
    ...overrides,
  };
}

t.test("the service runs the same options as install-service was given", async (t) => {
  t.same(serviceArgs(run, undefined), ["run", "--server", "tracker.example.org:7400"]);
  const full = { ...run, name: "Anna", capacity: 8, agentId: "a-1" };
  t.same(serviceArgs(full, "/var/lib/battle-tracker"), [
    "run", "--server", "tracker.example.org:7400", "--name", "Anna", "--capacity", "8",
    "--agent-id", "a-1", "--home", "/var/lib/battle-tracker",
  ]);
});

t.test("Linux: a user unit under ~/.config enabled with systemctl --user", async (t) => {
  const plan = installPlan(host("linux"), "user", run);
  t.same(plan.files.map((file) => file.path), [
    "/home/anna/.config/systemd/user/battle-tracker-agent.service",
  ]);
  t.match(String(plan.files[0]?.content), /ExecStart=\/opt\/tracker-agent run --server /);
  t.same(plan.commands, [
    ["systemctl", "--user", "daemon-reload"],
    ["systemctl", "--user", "enable", "--now", "battle-tracker-agent.service"],
  ]);
  t.match(plan.notes.join("\n"), /loginctl enable-linger anna/);
  t.match(String(plan.files[0]?.content), /^Environment=TRACKER_AGENT_SUPERVISED=1$/m, "updates by exit");
});

t.test("Linux: a system unit in /etc with a home for the machine", async (t) => {
  const plan = installPlan(host("linux"), "system", run);
  t.equal(plan.files[0]?.path, "/etc/systemd/system/battle-tracker-agent.service");
  t.match(String(plan.files[0]?.content), /--home \/var\/lib\/battle-tracker$/m);
  t.same(plan.commands[1], ["systemctl", "enable", "--now", "battle-tracker-agent.service"]);
  t.same(uninstallPlan(host("linux"), "system"), {
    files: [],
    commands: [["systemctl", "disable", "--now", "battle-tracker-agent.service"]],
    remove: ["/etc/systemd/system/battle-tracker-agent.service"],
    notes: [],
  });
});

t.test("a home given through TRACKER_AGENT_HOME is passed on to the service", async (t) => {
  const plan = installPlan(host("linux", { env: { TRACKER_AGENT_HOME: "/srv/agent" } }), "user", run);
  t.match(String(plan.files[0]?.content), /--home \/srv\/agent$/m);
});

t.test("macOS: a LaunchAgent bootstrapped in the user's GUI domain", async (t) => {
  const plan = installPlan(host("darwin"), "user", run);
  const file = "/Users/anna/Library/LaunchAgents/org.battle-tracker.agent.plist";
  t.equal(plan.files[0]?.path, file);
  t.same(plan.commands, [["launchctl", "bootstrap", "gui/501", file]]);
  t.same(uninstallPlan(host("darwin"), "user").commands, [
    ["launchctl", "bootout", "gui/501/org.battle-tracker.agent"],
  ]);

  const daemon = installPlan(host("darwin"), "system", run);
  t.equal(daemon.files[0]?.path, "/Library/LaunchDaemons/org.battle-tracker.agent.plist");
  t.match(String(daemon.files[0]?.content), /<string>\/Library\/Application Support\/battle-tracker/);
  t.match(String(plan.files[0]?.content), /<key>TRACKER_AGENT_SUPERVISED<\/key>\n {4}<string>1</);
});

t.test("Windows: a UTF-16 task file created with schtasks /XML, then started", async (t) => {
  const plan = installPlan(host("win32"), "user", run);
  const file = "C:\\Users\\anna\\AppData\\Local\\battle-tracker\\battle-tracker-agent-task.xml";
  t.equal(plan.files[0]?.path, file);
  const content = plan.files[0]?.content as Buffer;
  t.ok(Buffer.isBuffer(content) && content[0] === 0xff && content[1] === 0xfe, "UTF-16LE BOM");
  t.match(content.subarray(2).toString("utf16le"), /<UserId>HOME\\anna<\/UserId>/);
  t.same(plan.commands, [
    ["schtasks", "/Create", "/TN", "Battle Tracker Agent", "/XML", file, "/F"],
    ["schtasks", "/Run", "/TN", "Battle Tracker Agent"],
  ]);

  const boot = installPlan(host("win32"), "system", run);
  const xml = (boot.files[0]?.content as Buffer).subarray(2).toString("utf16le");
  t.match(xml, /--home C:\\ProgramData\\battle-tracker<\/Arguments>/);
  t.match(xml, /<BootTrigger>/);
  t.same(uninstallPlan(host("win32"), "system").commands[1], [
    "schtasks", "/Delete", "/TN", "Battle Tracker Agent", "/F",
  ]);
});
