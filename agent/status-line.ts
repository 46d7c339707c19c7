/** ANSI: carriage return, then erase the whole line. */
const CLEAR_LINE = "\r\x1b[2K";

/** The part of a terminal a writer needs: text out and a width. */
export interface TerminalOut {
  write(text: string): boolean;
  columns?: number;
}

/**
 * A single line at the bottom of a terminal that is rewritten in place. Other output (warnings)
 * goes above it through printAbove, so the line never ends up in the middle of a log message.
 */
export class StatusLine {
  private text = "";

  constructor(private readonly out: TerminalOut) {}

  update(text: string): void {
    this.text = fitWidth(text, this.out.columns);
    this.out.write(CLEAR_LINE + this.text);
  }

  printAbove(line: string): void {
    this.out.write(`${CLEAR_LINE}${line}\n${this.text}`);
  }

  /** Leaves the last text on its own line, for the shell prompt that follows. */
  end(): void {
    if (this.text !== "") this.out.write("\n");
    this.text = "";
  }
}

function fitWidth(text: string, columns: number | undefined): string {
  if (!columns || text.length < columns) return text;
  return `${text.slice(0, Math.max(0, columns - 2))}…`;
}

/** pino's numeric levels, by name, for the warnings shown above the line. */
const LEVEL_NAMES: Record<number, string> = { 40: "WARN", 50: "ERROR", 60: "FATAL" };

/**
 * A pino destination that shows warnings and errors as one short line each above the status
 * line; the full JSON goes to the log file.
 */
export function statusLineLogStream(statusLine: StatusLine): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      let entry: { level?: number; time?: number; msg?: string; err?: { message?: string } };
      try {
        entry = JSON.parse(chunk) as typeof entry;
      } catch {
        return;
      }
      const level = LEVEL_NAMES[entry.level ?? 0] ?? "INFO";
      const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
      const detail = entry.err?.message ? `: ${entry.err.message}` : "";
      statusLine.printAbove(`${time} ${level} ${entry.msg ?? ""}${detail}`);
    },
  };
}
