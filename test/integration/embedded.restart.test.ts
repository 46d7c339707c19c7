import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import t from "tap";
import { startEmbeddedPostgres } from "../../server/db/embedded";
import { silentLogger } from "../../shared/log";

const log = silentLogger();

t.test("a restarted embedded cluster keeps its data; a busy port is a clear error", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-embedded-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  const first = await startEmbeddedPostgres({ dataDir: dir, log, durable: false });
  const a = postgres(first.url, { max: 1, onnotice: false });
  await a`CREATE TABLE kept (n int)`;
  await a`INSERT INTO kept VALUES (42)`;
  await a.end();
  await first.stop();

  const second = await startEmbeddedPostgres({ dataDir: dir, log, durable: false });
  t.teardown(() => second.stop());
  const b = postgres(second.url, { max: 1, onnotice: false });
  const [row] = await b`SELECT n, current_setting('TimeZone') AS tz FROM kept`;
  t.same({ ...row }, { n: 42, tz: "UTC" });
  await b.end();

  const blocker = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => blocker.once("listening", resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const other = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-embedded-"));
  t.teardown(() => fs.rmSync(other, { recursive: true, force: true }));
  await t.rejects(startEmbeddedPostgres({ dataDir: other, port, log, durable: false }), {
    message: /could not start .* on port \d+/,
  });
});
