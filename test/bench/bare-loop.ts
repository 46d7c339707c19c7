import http from "node:http";
import { procUsage } from "./proc-usage";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";

/**
 * The reference request loop: account/info requests of 100 ids over keep-alive sockets, with
 * nothing of the tracker in it. Run as its own process so its CPU time can be read from /proc.
 * Args: baseUrl applicationId firstId concurrency durationMs requestsPerSecond (0 = unpaced).
 * Prints one JSON line: answers, errors, seconds, cpuSeconds.
 */
async function main(): Promise<void> {
  const [baseUrl, applicationId, firstIdText, concurrencyText, durationText, rpsText] =
    process.argv.slice(2);
  const firstId = Number(firstIdText);
  const concurrency = Number(concurrencyText);
  const durationMs = Number(durationText);
  const rps = Number(rpsText);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const fields = "created_at,account_id,last_battle_time,nickname,updated_at," +
    "statistics.all.spotted,statistics.all.battles,statistics.all.wins," +
    "statistics.all.damage_dealt,statistics.all.frags,statistics.all.dropped_capture_points";

  let next = 0;
  let answers = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + durationMs;
  const dueAt = (i: number) => (rps > 0 ? started + (i * 1000) / rps : 0);

  const worker = async () => {
    while (performance.now() < endAt) {
      const i = next++;
      const wait = dueAt(i) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (performance.now() >= endAt) break;
      const ids = Array.from({ length: 100 }, (_, k) => firstId + ((i * 100 + k) % 100_000));
      const url = `${baseUrl}/account/info/?application_id=${applicationId}` +
        `&account_id=${ids.join(",")}&fields=${fields}&language=en`;
      const ok = await get(agent, url);
      if (ok) answers++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  // The loop's own CPU time as the kernel counts it, read before the process ends.
  const { cpuSeconds } = procUsage(process.pid);
  process.stdout.write(`${JSON.stringify({ answers, errors, seconds, cpuSeconds })}\n`);
}

function get(agent: http.Agent, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get(url, { agent, headers: { "accept-encoding": "gzip" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(res.statusCode === 200 && parses(res, Buffer.concat(chunks))));
        res.on("error", () => resolve(false));
      })
      .on("error", () => resolve(false));
  });
}

/** Decoded and parsed like any client must, so the loop does the same work minus the tracker. */
function parses(res: http.IncomingMessage, raw: Buffer): boolean {
  try {
    const body = res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
    return (JSON.parse(body.toString("utf8")) as { status?: string }).status === "ok";
  } catch {
    return false;
  }
}

void main();
