import fs from "node:fs";
import os from "node:os";
import { measureAgentCost } from "./agent-cost-figure";
import { startBenchDatabase } from "./bench-db";
import { formatTable, type BenchRow } from "./bench-table";
import { measureIngest } from "./ingest-figure";
import { measurePipeline } from "./pipeline-figure";
import { measureScale } from "./scale-figure";

const USAGE = `Usage: make bench [BENCH_ARGS="--only ingest,pipeline --ingest-players N ..."]

Measures the tracker against references taken in the same run on this machine, prints one
table (every goal met or not, with its ratio) and writes it as JSON.

  --only LIST             figures to run: ingest,pipeline,agent,scale (default all)
  --ingest-players N      player rows per ingest run (default 200000)
  --ids-per-platform N    simulator ids per platform for the pipeline (default 150000)
  --pipeline-agents N     agents in the pipeline (default 4)
  --in-flight N           API requests in flight per pipeline agent (default 8)
  --agent-rps N           request rate of the agent cost figure (default 20)
  --agent-seconds N       measuring window of the agent cost figure (default 60)
  --scale-agents N        light agents of the scale figure (default 1000)
  --scale-processes N     processes they run in (default 4)
  --scale-batches N       batches of the scale round (default 20000)
  --scale-work-ms N       time a light agent holds each batch (default 1000)
  --out FILE              results file (default bench-results.json)
`;

interface BenchOptions {
  only: Set<string>;
  ingestPlayers: number;
  idsPerPlatform: number;
  pipelineAgents: number;
  inFlight: number;
  agentRps: number;
  agentSeconds: number;
  scaleAgents: number;
  scaleProcesses: number;
  scaleBatches: number;
  scaleWorkMs: number;
  out: string;
}

function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    only: new Set(["ingest", "pipeline", "agent", "scale"]),
    ingestPlayers: 200_000,
    idsPerPlatform: 150_000,
    pipelineAgents: 4,
    inFlight: 8,
    agentRps: 20,
    agentSeconds: 60,
    scaleAgents: 1000,
    scaleProcesses: 4,
    scaleBatches: 20_000,
    scaleWorkMs: 1000,
    out: "bench-results.json",
  };
  const numbers: Record<string, keyof BenchOptions> = {
    "--ingest-players": "ingestPlayers",
    "--ids-per-platform": "idsPerPlatform",
    "--pipeline-agents": "pipelineAgents",
    "--in-flight": "inFlight",
    "--agent-rps": "agentRps",
    "--agent-seconds": "agentSeconds",
    "--scale-agents": "scaleAgents",
    "--scale-processes": "scaleProcesses",
    "--scale-batches": "scaleBatches",
    "--scale-work-ms": "scaleWorkMs",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg in numbers) {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) fail(`${arg} needs a whole number above 0`);
      (o as unknown as Record<string, number>)[numbers[arg]] = n;
    } else if (arg === "--only") o.only = new Set((argv[++i] ?? "").split(","));
    else if (arg === "--out") o.out = argv[++i] ?? fail("--out needs a file");
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return o;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function say(text: string): void {
  process.stdout.write(`bench: ${text}\n`);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
  say(`machine: ${machine}`);

  const db = await startBenchDatabase();
  const rows: BenchRow[] = [];
  const run = async (name: string, measure: () => Promise<BenchRow[]>) => {
    if (!o.only.has(name)) return;
    say(`measuring ${name}`);
    const measured = await measure();
    for (const row of measured) say(`${row.figure}: ${row.value.toFixed(2)} ${row.unit}`);
    rows.push(...measured);
  };
  try {
    await run("ingest", () => measureIngest(db, o.ingestPlayers));
    await run("pipeline", () =>
      measurePipeline(db, {
        idsPerPlatform: o.idsPerPlatform,
        agents: o.pipelineAgents,
        inFlight: o.inFlight,
        referenceSeconds: 10,
      }),
    );
    await run("agent", () => measureAgentCost(db, { requestsPerSecond: o.agentRps, seconds: o.agentSeconds }));
    await run("scale", () =>
      measureScale(db, {
        agents: o.scaleAgents,
        processes: o.scaleProcesses,
        batches: o.scaleBatches,
        workMs: o.scaleWorkMs,
      }),
    );
  } finally {
    await db.stop();
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  const args = process.argv.slice(2).join(" ");
  say(`${rows.filter((r) => r.met).length} of ${rows.length} goals met in ${seconds} s; ${machine}`);
  const report = { measuredAt: new Date().toISOString(), machine, args, seconds, rows };
  fs.writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  say(`results written to ${o.out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
