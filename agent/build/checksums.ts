import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The SHA-256 of a file, read in chunks (executables are around 100 MB). */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  const chunk = Buffer.alloc(1024 * 1024);
  try {
    let read: number;
    while ((read = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0) {
      hash.update(chunk.subarray(0, read));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * Writes SHA256SUMS beside the files in the format of `sha256sum`, so a volunteer checks a
 * download with `sha256sum --check --ignore-missing SHA256SUMS`.
 */
export function writeChecksums(dir: string, fileNames: readonly string[]): string {
  const lines = [...fileNames]
    .sort()
    .map((name) => `${sha256File(path.join(dir, name))}  ${name}\n`);
  const sumsFile = path.join(dir, "SHA256SUMS");
  fs.writeFileSync(sumsFile, lines.join(""));
  return sumsFile;
}
