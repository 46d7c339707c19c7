import fs from "node:fs";
import path from "node:path";

let cached: string | null = null;

/**
 * The project directory (the one holding package.json), found by walking up from this file, so
 * that .proto and .sql files resolve the same from sources and from the compiled dist/ tree.
 */
export function repoRoot(from: string = __dirname): string {
  if (cached) return cached;
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
