import { createHash, createPublicKey, verify } from "node:crypto";
import fs from "node:fs";
import type { UpdateAvailable } from "../shared/gen/tracker/v1/agent";
import { releaseMessage } from "../shared/release-message";

/**
 * Why a downloaded file must not be run, or null when its size, SHA-256 and Ed25519 signature
 * (by the release key the agent got when it enrolled) all match the offer.
 */
export async function releaseProblem(
  file: string,
  offer: UpdateAvailable,
  platform: { os: string; arch: string },
  releasePublicKeyPem: string,
): Promise<string | null> {
  const size = (await fs.promises.stat(file)).size;
  if (size !== Number(offer.size)) return `size ${size} is not the offered ${offer.size}`;

  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest("hex");
  if (sha256 !== offer.sha256) return `sha256 ${sha256} is not the offered ${offer.sha256}`;

  const message = releaseMessage({ version: offer.version, ...platform, size, sha256 });
  const key = createPublicKey(releasePublicKeyPem);
  if (!verify(null, message, key, Buffer.from(offer.signature))) {
    return "the signature is not the release key's";
  }
  return null;
}
