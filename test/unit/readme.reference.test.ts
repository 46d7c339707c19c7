import fs from "node:fs";
import path from "node:path";
import t from "tap";
import { ERROR_CODES } from "../../shared/errors";
import { repoRoot } from "../../shared/repo-root";
import { SERVER_SCHEMA } from "../../server/config";

const readme = fs.readFileSync(path.join(repoRoot(), "README.md"), "utf8");

/** The text of one "## " section of the README. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) return "";
  const end = readme.indexOf("\n## ", start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

t.test("the README's first screen gives the two commands", async (t) => {
  const firstScreen = readme.split("\n").slice(0, 25).join("\n");
  t.match(firstScreen, /make demo/);
  t.match(firstScreen, /make test/);
});

t.test("the configuration section lists every server setting", async (t) => {
  const text = section("Configuration");
  for (const key of Object.keys(SERVER_SCHEMA)) t.match(text, `\`${key}\``, key);
});

t.test("the error codes section lists every coded error", async (t) => {
  const text = section("Error codes");
  for (const code of Object.keys(ERROR_CODES)) t.match(text, `\`${code}\``, code);
});
