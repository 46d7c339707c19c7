import { spawnSync } from "node:child_process";
import t from "tap";
import { distEntry } from "../support/child-process";

/**
 * Allocates like an agent answering requests (short-lived objects, a few thousand alive at any
 * time) and prints the young generation's size. Plain JavaScript on the compiled module: a
 * TypeScript loader would grow the young generation before the hold could be set.
 */
const CHILD = `
const v8 = require("node:v8");
if (process.argv[2] === "hold") require(process.argv[1]).holdYoungGeneration();
const alive = [];
for (let i = 0; i < 400000; i += 1) {
  alive.push({ accountId: i, nickname: "player_" + i, counters: [i, i + 1, i + 2] });
  if (alive.length > 5000) alive.shift();
}
const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
process.stdout.write(String(space.space_size));
`;

/** A process of its own for each run: V8 flags cannot be taken back once set. */
function newSpaceBytes(mode: "hold" | "default"): number {
  const module = distEntry("agent/young-generation.js");
  const child = spawnSync(process.execPath, ["-e", CHILD, module, mode], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return Number(child.stdout);
}

t.test("the young generation keeps its starting size under an agent-like load", async (t) => {
  const grown = newSpaceBytes("default");
  const held = newSpaceBytes("hold");

  t.ok(grown >= 8 * 2 ** 20, `without the hold V8 grows it (${grown} bytes)`);
  t.ok(held <= 4 * 2 ** 20, `with the hold it stays at most 4 MB (${held} bytes)`);
});
