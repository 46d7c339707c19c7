import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** File in the data directory holding the Ed25519 key that signs releases (owner-only). */
export const RELEASE_KEY_FILE = "release-key.pem";

export interface ReleaseKey {
  privateKey: KeyObject;
  /** SPKI PEM; agents receive it when they enroll and check every download against it. */
  publicKeyPem: string;
}

/** Loads the release key, creating it on first start. Agents trust it for good: keep it safe. */
export function loadOrCreateReleaseKey(dataDir: string): ReleaseKey {
  const file = path.join(dataDir, RELEASE_KEY_FILE);
  if (!fs.existsSync(file)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  const privateKey = createPrivateKey(fs.readFileSync(file));
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  return { privateKey, publicKeyPem };
}
