/** One line of the benchmark table. */
export interface BenchRow {
  figure: string;
  /** The measured value, with its unit. */
  value: number;
  unit: string;
  /** What it is judged against, measured in the same run (empty when there is none). */
  reference: string;
  referenceValue: number | null;
  /** value / referenceValue, or null. */
  ratio: number | null;
  goal: string;
  met: boolean;
  /** Further figures of the same measurement (CPU, RSS, latency). */
  notes: string;
}

/** The table as fixed-width text, one row per figure. */
export function formatTable(rows: BenchRow[]): string {
  const head = ["figure", "measured", "reference (same run)", "ratio", "goal", "met", "notes"];
  const body = rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.referenceValue === null ? r.reference || "-" : `${fmt(r.referenceValue)} (${r.reference})`,
    r.ratio === null ? "-" : fmt(r.ratio),
    r.goal,
    r.met ? "met" : "NOT MET",
    r.notes,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(head), rule, ...body.map(line)].join("\n");
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}
