import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { AgentTarget } from "./targets";

/** What `npm pack --json` reports for one package. */
interface PackReport {
  filename: string;
  integrity: string;
}

/**
 * The official node binary of a target, taken from the registry package node-<target>@version
 * with `npm pack` (installing it fails on another OS: the package declares os and cpu) and kept
 * under cacheDir, so a second build needs no download.
 */
export function fetchNodeBase(target: AgentTarget, version: string, cacheDir: string): string {
  const dir = path.join(cacheDir, version, target.name);
  const binary = path.join(dir, path.basename(target.binaryInPackage));
  if (fs.existsSync(binary)) return binary;

  fs.mkdirSync(dir, { recursive: true });
  const tarball = packBase(target, version, dir);

  // Only the binary is kept: the package also carries headers and npm, 50+ MB we never use.
  execFileSync("tar", ["-xzf", tarball, "-C", dir, target.binaryInPackage]);
  const extracted = path.join(dir, target.binaryInPackage);
  fs.renameSync(extracted, binary);
  fs.rmSync(path.join(dir, "package"), { recursive: true, force: true });
  fs.rmSync(tarball);
  return binary;
}

function packBase(target: AgentTarget, version: string, dir: string): string {
  const spec = `node-${target.name}@${version}`;
  const output = execFileSync("npm", ["pack", spec, "--json", "--pack-destination", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const [report] = JSON.parse(output) as PackReport[];

  // npm checks the download against the registry's own hash; this pins it to the one we built
  // with, so a republished package cannot change an executable silently.
  if (report.integrity !== target.integrity) {
    throw new Error(`${spec}: integrity ${report.integrity}, expected ${target.integrity}`);
  }
  return path.join(dir, report.filename);
}
