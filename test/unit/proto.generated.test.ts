import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { repoRoot } from "../../shared/repo-root";

/** Every file below dir, as paths relative to it. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

t.test("the committed shared/gen is exactly what proto/ generates", async (t) => {
  const root = repoRoot();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-gen-"));
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));

  // buf prefixes every plugin's out directory with -o, so the fresh copy lands in out/shared/gen.
  execFileSync(path.join(root, "node_modules/.bin/buf"), ["generate", "-o", out], { cwd: root });

  const committed = path.join(root, "shared/gen");
  const fresh = path.join(out, "shared/gen");
  const files = listFiles(fresh);
  t.ok(files.length >= 2, "buf generated the agent and admin files");
  t.same(listFiles(committed), files, "the same files exist");
  for (const file of files) {
    const same = fs.readFileSync(path.join(committed, file), "utf8") === fs.readFileSync(path.join(fresh, file), "utf8");
    t.ok(same, `${file} is up to date (run "make proto" and commit)`);
  }
});
