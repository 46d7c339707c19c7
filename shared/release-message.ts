/** Which file of which release a signature is about. */
export interface ReleaseFileIdentity {
  version: string;
  os: string;
  arch: string;
  size: number;
  sha256: string;
}

/**
 * The bytes the release key signs. Binding version, platform and size to the digest means a
 * signed file cannot be replayed as another version or for another platform.
 */
export function releaseMessage(file: ReleaseFileIdentity): Buffer {
  const { version, os, arch, size, sha256 } = file;
  return Buffer.from(`battle-tracker release\n${version}\n${os}-${arch}\n${size}\n${sha256}\n`, "utf8");
}
