import fs from "node:fs";
import path from "node:path";

/** A log file is rotated when a write would take it past this size. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files kept: the live one and this many minus one rotated ones (agent.log.1 is the newest). */
export const DEFAULT_MAX_FILES = 5;

export interface RotatingLogOptions {
  file: string;
  /** @default DEFAULT_MAX_FILE_BYTES */
  maxFileBytes?: number;
  /** @default DEFAULT_MAX_FILES */
  maxFiles?: number;
}

/**
 * An append-only log file that rotates by size: agent.log → agent.log.1 → … → agent.log.N-1,
 * the oldest dropped. Writes are synchronous: the agent logs a few lines a minute, and a line
 * written before a crash is worth more than the microseconds saved. pino takes it as a
 * destination stream (anything with write(string)).
 */
export class RotatingLog {
  private readonly file: string;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private fd: number;
  private size: number;

  constructor(options: RotatingLogOptions) {
    this.file = options.file;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_MAX_FILES);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, "a", 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  write(chunk: string | Buffer): boolean {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    // A line is never split across files; an empty file takes even an oversized line.
    if (this.size > 0 && this.size + bytes.length > this.maxFileBytes) this.rotate();

    fs.writeSync(this.fd, bytes);
    this.size += bytes.length;
    return true;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** The files that exist now, live one first. */
  files(): string[] {
    const all = [this.file];
    for (let index = 1; index < this.maxFiles; index += 1) all.push(`${this.file}.${index}`);
    return all.filter((file) => fs.existsSync(file));
  }

  private rotate(): void {
    fs.closeSync(this.fd);

    if (this.maxFiles === 1) {
      fs.rmSync(this.file, { force: true });
    } else {
      fs.rmSync(`${this.file}.${this.maxFiles - 1}`, { force: true });
      for (let index = this.maxFiles - 2; index >= 1; index -= 1) {
        renameIfPresent(`${this.file}.${index}`, `${this.file}.${index + 1}`);
      }
      fs.renameSync(this.file, `${this.file}.1`);
    }

    this.fd = fs.openSync(this.file, "a", 0o600);
    this.size = 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
