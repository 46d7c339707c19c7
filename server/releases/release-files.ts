import { createHash, sign } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { releaseMessage } from "../../shared/release-message";
import type { ReleaseKey } from "./release-key";

/** One executable found in a release directory, copied and signed. */
export interface SignedFile {
  os: string;
  arch: string;
  path: string;
  size: number;
  sha256: string;
  signature: Buffer;
}

/** tracker-agent-linux-x64, tracker-agent-win-x64.exe, tracker-agent-darwin-arm64, … */
const FILE_NAME = /^tracker-agent-(linux|win|darwin)-(x64|arm64)(\.exe)?$/;
/** Release names use the build's short OS names; agents report Node's process.platform. */
const NODE_PLATFORM: Record<string, string> = { linux: "linux", win: "win32", darwin: "darwin" };
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;

/** Refuses a version string that could not be a file name or a semantic version. */
export function checkVersion(version: string): string | null {
  return VERSION.test(version) ? null : "version must be 1-32 of [0-9A-Za-z.+-], e.g. 0.2.0";
}

/** The agent executables in `directory`, by the names the build gives them. */
export function findExecutables(directory: string): { os: string; arch: string; file: string }[] {
  return fs
    .readdirSync(directory)
    .map((name) => ({ name, match: FILE_NAME.exec(name) }))
    .filter(({ name, match }) => match !== null && fs.statSync(path.join(directory, name)).isFile())
    .map(({ name, match }) => ({
      os: NODE_PLATFORM[match![1]],
      arch: match![2],
      file: path.join(directory, name),
    }));
}

/**
 * Copies an executable into the server's release store and signs it there, so the admin's
 * directory may change afterwards without touching what agents download.
 */
export async function copyAndSign(
  source: string,
  storeDir: string,
  identity: { version: string; os: string; arch: string },
  key: ReleaseKey,
): Promise<SignedFile> {
  fs.mkdirSync(storeDir, { recursive: true });
  const target = path.join(storeDir, path.basename(source));
  await fs.promises.copyFile(source, target);

  const sha256 = await fileSha256(target);
  const size = (await fs.promises.stat(target)).size;
  const signature = sign(null, releaseMessage({ ...identity, size, sha256 }), key.privateKey);
  return { os: identity.os, arch: identity.arch, path: target, size, sha256, signature };
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
