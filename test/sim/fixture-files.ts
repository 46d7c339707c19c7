import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Directory of the project's WG API fixtures (copied from shared/fixtures). */
export const FIXTURES_DIR = join(__dirname, "..", "fixtures");

/** A fixture file parsed as JSON. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), "utf8")) as unknown;
}

/** A fixture file as text. */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), "utf8");
}
