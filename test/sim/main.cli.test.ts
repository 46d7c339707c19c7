import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import t from "tap";
import { parseCliArgs } from "./cli-args";
import { apiGet } from "./loopback-client";

/** Reads stdout until the listening line, with a deadline. */
function listeningLine(child: ReturnType<typeof spawn>): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no listening line: ${seen}`)), 15_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const line = seen.split("\n").find((l) => l.includes('"listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { port: number; url: string });
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
  });
}

t.test("the CLI prints one listening line, serves the API and exits 0 on SIGTERM", async (t) => {
  const args = [
    ...process.execArgv,
    join(__dirname, "main.ts"),
    "--port", "0",
    "--seed", "3",
    "--ids-per-platform", "2000",
    "--key", "cli-key:server:200",
    "--faults", '{"sourceNotAvailable":0}',
    "--start-day", "2026-12-01",
    "--no-rate-limit",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });

  const ready = await listeningLine(child);
  t.equal(ready.url, `http://127.0.0.1:${ready.port}`);
  const answer = (await apiGet(ready.url, "/wotx/account/info/", {
    application_id: "cli-key",
    account_id: "5001",
  })) as { status: string };
  t.equal(answer.status, "ok");

  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number | null];
  t.equal(code, 0);
});

t.test("the CLI flags parse into options and an unknown flag is refused", async (t) => {
  const keys = ["--key", "a:standalone:5", "--key", "b:server:9:10.0.0.1|10.0.0.2"];
  const options = parseCliArgs(keys);
  t.match(options, {
    keys: [
      { applicationId: "a", kind: "standalone", requestsPerSecond: 5 },
      { applicationId: "b", requestsPerSecond: 9, allowedIps: ["10.0.0.1", "10.0.0.2"] },
    ],
  });
  t.throws(() => parseCliArgs(["--bogus"]));
  t.throws(() => parseCliArgs(["--key", "a:weird:5"]));
  t.throws(() => parseCliArgs(["--seed", "x"]));
});
