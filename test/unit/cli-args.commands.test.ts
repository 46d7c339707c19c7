import t from "tap";
import { parseCliArgs, UsageError } from "../../agent/cli-args";

t.test("status, doctor and the service commands parse with their own options", async (t) => {
  t.same(parseCliArgs(["status"], {}), { command: "status" });
  t.same(parseCliArgs(["doctor", "--server", "h:1"], {}), {
    command: "doctor",
    server: "h:1",
    agentId: undefined,
  });
  t.match(parseCliArgs(["install-service", "--server", "h:1", "--name", "N", "--system"], {}), {
    command: "install-service",
    scope: "system",
    printOnly: false,
    run: { command: "run", server: "h:1", name: "N", capacity: 4 },
  });
  t.same(parseCliArgs(["uninstall-service", "--print"], {}), {
    command: "uninstall-service",
    scope: "user",
    printOnly: true,
  });
});

t.test("--version and -V print the version from any position", async (t) => {
  t.same(parseCliArgs(["--version"], {}), { command: "version" });
  t.same(parseCliArgs(["-V"], {}), { command: "version" });
  t.same(parseCliArgs(["status", "--version"], {}), { command: "version" });
});

t.test("--home is kept for run, status, doctor and install-service", async (t) => {
  t.match(parseCliArgs(["run", "--server", "h:1", "--home", "/srv/a"], {}), { home: "/srv/a" });
  t.match(parseCliArgs(["doctor", "--home", "/srv/a"], {}), { home: "/srv/a" });
  t.same(parseCliArgs(["status", "--home", "/srv/a"], {}), { command: "status", home: "/srv/a" });
  t.match(parseCliArgs(["install-service", "--server", "h:1", "--home", "/srv/a"], {}), {
    run: { home: "/srv/a" },
  });
  t.throws(() => parseCliArgs(["run", "--home", " "], {}), UsageError);
});

t.test("an option that belongs to another command is a usage error", async (t) => {
  t.throws(() => parseCliArgs(["status", "--server", "h:1"], {}), {
    message: "--server does not apply to status",
  });
  t.throws(() => parseCliArgs(["run", "--server", "h:1", "--system"], {}), UsageError);
  t.throws(() => parseCliArgs(["uninstall-service", "--name", "x"], {}), UsageError);
});
