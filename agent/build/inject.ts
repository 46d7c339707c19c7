import fs from "node:fs";
import { MACHO_SEA_SEGMENT, SEA_FUSE, SEA_RESOURCE, type AgentTarget } from "./targets";

/** postject's programmatic entry; the package ships no types. */
interface Postject {
  inject(
    filename: string,
    resourceName: string,
    resourceData: Buffer,
    options: { sentinelFuse: string; machoSegmentName?: string; overwrite?: boolean },
  ): Promise<void>;
}

/**
 * Copies the official node binary to `output` and injects the SEA blob into it: a PE resource,
 * an ELF note or a Mach-O section, and flips the fuse so the binary runs the blob at start.
 */
export async function injectBlob(
  target: AgentTarget,
  nodeBinary: string,
  blob: Buffer,
  output: string,
): Promise<void> {
  const postject = require("postject") as Postject;

  fs.copyFileSync(nodeBinary, output);
  fs.chmodSync(output, 0o755);

  const machoSegmentName = target.format === "macho" ? MACHO_SEA_SEGMENT : undefined;
  await postject.inject(output, SEA_RESOURCE, blob, { sentinelFuse: SEA_FUSE, machoSegmentName });
}
