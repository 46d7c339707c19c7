import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const USAGE = `Usage: profile-top FILE [COUNT] [--from S] [--to S] [--timeline S]

Prints the COUNT (default 20) frames of a .cpuprofile with the most self time, as a share of
the busy (not idle) time. --from and --to keep the samples between those seconds after the
profile started; --timeline S first prints the busy seconds in each S-second slice, to find
the phases of a run (start, round, shutdown).
`;

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const [, value] = args.splice(at, 2);
    return Number(value);
  };
  const fromS = option("--from") ?? 0;
  const toS = option("--to") ?? Infinity;
  const sliceS = option("--timeline");
  const [file, countText] = args;
  if (!file) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === "(idle)");
  const idleIds = new Set(idle.map((n) => n.id));
  if (sliceS) printTimeline(profile, idleIds, sliceS);

  // Each sample's time is the sum of the deltas up to it.
  const microsByNode = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromS * 1e6 || at > toS * 1e6) return;
    microsByNode.set(id, (microsByNode.get(id) ?? 0) + delta);
  });
  const self = new Map<string, number>();
  let idleMicros = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const micros = microsByNode.get(node.id) ?? 0;
    total += micros;
    if (idleIds.has(node.id)) {
      idleMicros += micros;
      continue;
    }
    const frame = node.callFrame;
    const where = frame.url.split("/").slice(-2).join("/");
    const key = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + micros);
  }
  const busy = total - idleMicros;
  const seconds = (micros: number) => (micros / 1e6).toFixed(1);
  console.log(`${seconds(total)} s sampled, ${seconds(busy)} s busy`);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(countText ?? 20));
  for (const [key, micros] of top) {
    console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${key}`);
  }
}

function printTimeline(profile: CpuProfile, idleIds: Set<number>, sliceS: number): void {
  const busyBySlice: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const slice = Math.floor(at / 1e6 / sliceS);
    busyBySlice[slice] = (busyBySlice[slice] ?? 0) + (idleIds.has(id) ? 0 : delta);
  });
  for (const [slice, micros] of busyBySlice.entries()) {
    const busy = (micros ?? 0) / 1e6;
    console.log(`${String(slice * sliceS).padStart(5)} s  ${busy.toFixed(1).padStart(5)} s busy`);
  }
}

main();
