import { buildSync } from "esbuild";
import path from "node:path";

/**
 * Bundles the agent into one CommonJS file, the only script a single executable can run: SEA
 * has no file system of its own, so every dependency must be inside. The version is fixed here
 * so that an environment variable on a volunteer's machine cannot change it.
 */
export function bundleAgent(repoDir: string, outfile: string, version: string): void {
  buildSync({
    entryPoints: [path.join(repoDir, "agent", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    keepNames: true,
    logLevel: "warning",
    define: { "process.env.TRACKER_BUILD_VERSION_OVERRIDE": JSON.stringify(version) },
  });
}
