import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildAgents, type BuiltAgent } from "../../agent/build/build-agents";
import { selectTargets } from "../../agent/build/targets";
import { repoRoot } from "../../shared/repo-root";

/**
 * Builds the named targets into a temporary directory (removed at teardown), with the node
 * bases cached in build/node-bases like `make agents`, so only the first run downloads them.
 */
export async function buildForTest(
  t: { teardown(fn: () => void): void },
  targetNames: string[],
): Promise<{ outDir: string; built: BuiltAgent[] }> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-build-"));
  t.teardown(() => fs.rmSync(outDir, { recursive: true, force: true }));
  const repoDir = repoRoot();
  const built = await buildAgents({
    repoDir,
    targets: selectTargets(targetNames),
    outDir,
    cacheDir: path.join(repoDir, "build", "node-bases"),
  });
  return { outDir, built };
}
