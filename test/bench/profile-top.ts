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

/**
 * Prints the frames of a .cpuprofile with the most self time, as a share of the busy (not
 * idle) time. Args: file [count].
 */
function main(): void {
  const [file, countText] = process.argv.slice(2);
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const microsByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    microsByNode.set(id, (microsByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const self = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const micros = microsByNode.get(node.id) ?? 0;
    total += micros;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    const where = frame.url.split("/").slice(-2).join("/");
    const key = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + micros);
  }
  const busy = total - idle;
  const seconds = (micros: number) => (micros / 1e6).toFixed(1);
  console.log(`${seconds(total)} s sampled, ${seconds(busy)} s busy`);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(countText ?? 20));
  for (const [key, micros] of top) {
    console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${key}`);
  }
}

main();
