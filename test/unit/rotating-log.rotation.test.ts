import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { RotatingLog } from "../../agent/rotating-log";

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotating-log-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("files rotate by size, the oldest is dropped, and no line is split", async (t) => {
  const file = path.join(tempDir(t), "logs", "agent.log");
  const log = new RotatingLog({ file, maxFileBytes: 100, maxFiles: 3 });
  const line = (n: number) => `line ${String(n).padStart(3, "0")} ${"x".repeat(20)}\n`;
  for (let n = 0; n < 40; n += 1) log.write(line(n));
  log.close();

  t.same(
    fs.readdirSync(path.dirname(file)).sort(),
    ["agent.log", "agent.log.1", "agent.log.2"],
    "the live file and two rotated ones",
  );
  for (const name of ["agent.log", "agent.log.1", "agent.log.2"]) {
    const text = fs.readFileSync(path.join(path.dirname(file), name), "utf8");
    t.ok(Buffer.byteLength(text) <= 100, `${name} stays within the size`);
    t.match(text, /^(line \d{3} x{20}\n)+$/, `${name} holds whole lines only`);
  }
  t.match(fs.readFileSync(file, "utf8"), /line 039/, "the newest line is in the live file");
  const kept = ["agent.log.2", "agent.log.1", "agent.log"]
    .map((name) => fs.readFileSync(path.join(path.dirname(file), name), "utf8"))
    .join("");
  t.notMatch(kept, /line 000/, "the oldest lines are gone");
  const numbers = [...kept.matchAll(/line (\d{3})/g)].map((m) => Number(m[1]));
  const expected = numbers.map((_, index) => 40 - numbers.length + index);
  t.same(numbers, expected, "what is kept is the newest lines, in order across the files");
});

t.test("a new log appends to an existing file and counts its size", async (t) => {
  const file = path.join(tempDir(t), "agent.log");
  fs.writeFileSync(file, "a".repeat(90) + "\n");
  const log = new RotatingLog({ file, maxFileBytes: 100, maxFiles: 2 });
  log.write("this line does not fit\n");
  log.close();

  t.equal(fs.readFileSync(`${file}.1`, "utf8"), "a".repeat(90) + "\n", "old content rotated");
  t.equal(fs.readFileSync(file, "utf8"), "this line does not fit\n");
  t.same(log.files(), [file, `${file}.1`]);
});

t.test("pino writes through it as a destination stream", async (t) => {
  const pino = (await import("pino")).default;
  const file = path.join(tempDir(t), "agent.log");
  const log = new RotatingLog({ file });
  pino({ base: null }, log).info({ leaseId: 7 }, "lease granted");
  log.close();

  const entry = JSON.parse(fs.readFileSync(file, "utf8")) as { msg: string; leaseId: number };
  t.match(entry, { msg: "lease granted", leaseId: 7 });
});
