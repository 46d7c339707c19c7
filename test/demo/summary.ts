import type { DailySummary } from "../../shared/gen/tracker/v1/admin";

export interface Comparison {
  platform: string;
  tracker: { accounts: number; playersActive: number; battles: number; newAccounts: number };
  truth: { accounts: number; playersActive: number | null; battles: number | null; newAccounts: number | null };
  matches: boolean;
}

const FIGURES = ["accounts", "playersActive", "battles", "newAccounts"] as const;

/** The tracker's daily summary beside the simulator's truth, per platform. */
export function compareSummary(
  summary: DailySummary,
  truth: Record<string, Comparison["truth"]>,
): Comparison[] {
  return Object.entries(truth).map(([platform, t]) => {
    const s = summary.platforms.find((p) => p.platform === platform);
    const tracker = {
      accounts: s?.accounts ?? 0,
      playersActive: s?.playersActive ?? 0,
      battles: s?.battles ?? 0,
      newAccounts: s?.newAccounts ?? 0,
    };
    const matches = FIGURES.every((f) => tracker[f] === t[f]);
    return { platform, tracker, truth: t, matches };
  });
}

export function printSummary(statDay: string, rows: Comparison[]): void {
  const header = ["platform", "accounts found", "players active", "battles", "new accounts", "match"];
  const lines = rows.map((r) => [
    r.platform,
    ...FIGURES.map((f) => `${r.tracker[f]} / ${r.truth[f]}`),
    r.matches ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  process.stdout.write(`\nstat day ${statDay} (tracker / simulator truth)\n`);
  process.stdout.write(`${row(header)}\n${row(widths.map((w) => "-".repeat(w)))}\n`);
  for (const l of lines) process.stdout.write(`${row(l)}\n`);
  process.stdout.write("\n");
}
