import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../../shared/repo-root";
import { buildAgents } from "./build-agents";
import { selectTargets } from "./targets";

/**
 * `node dist/agent/build/main.js [target ...]`: builds the agent executables into
 * build/agents/ (all targets when none is named) and prints their sizes.
 */
async function main(): Promise<void> {
  const repoDir = repoRoot();
  const targets = selectTargets(process.argv.slice(2));
  const outDir = path.join(repoDir, "build", "agents");
  const cacheDir = path.join(repoDir, "build", "node-bases");

  const built = await buildAgents({
    repoDir,
    targets,
    outDir,
    cacheDir,
    onStep: (step, elapsedMs) => console.log(`${(elapsedMs / 1000).toFixed(1)} s  ${step}`),
  });

  for (const { file } of built) {
    const rawMb = fs.statSync(file).size / 1e6;
    const gzipMb = gzipSync(fs.readFileSync(file), { level: 6 }).length / 1e6;
    console.log(`${path.basename(file)}  ${rawMb.toFixed(1)} MB raw, ${gzipMb.toFixed(1)} MB gzip`);
  }
  console.log(`checksums in ${path.join("build", "agents", "SHA256SUMS")}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
