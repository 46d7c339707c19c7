import t from "tap";
import { StatusLine, statusLineLogStream } from "../../agent/status-line";

function terminal(columns?: number) {
  const written: string[] = [];
  return { out: { columns, write: (text: string) => written.push(text) > 0 }, written };
}

t.test("the line is rewritten in place and cut to the terminal's width", async (t) => {
  const { out, written } = terminal(20);
  const line = new StatusLine(out);
  line.update("connected");
  line.update("connected to a server far away");
  t.same(written, ["\r\x1b[2Kconnected", "\r\x1b[2Kconnected to a ser…"]);
});

t.test("a warning goes above the line, which is drawn again below it", async (t) => {
  const { out, written } = terminal();
  const line = new StatusLine(out);
  line.update("connected");
  line.printAbove("12:00:00 WARN session lost");
  line.end();
  t.same(written.slice(1), ["\r\x1b[2K12:00:00 WARN session lost\nconnected", "\n"]);
});

t.test("log lines reach the terminal as time, level, message and error", async (t) => {
  const { out, written } = terminal();
  const stream = statusLineLogStream(new StatusLine(out));
  const time = new Date(2026, 0, 1, 9, 8, 7).getTime();
  stream.write(`${JSON.stringify({ level: 50, time, msg: "batch failed", err: { message: "boom" } })}\n`);
  stream.write("not json\n");
  t.same(written, ["\r\x1b[2K09:08:07 ERROR batch failed: boom\n"]);
});
