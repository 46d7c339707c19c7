import fs from "node:fs";
import path from "node:path";
import { VERSION } from "../../shared/version";
import { bundleAgent } from "./bundle";
import { writeChecksums } from "./checksums";
import { injectBlob } from "./inject";
import { inspectExecutable } from "./inspect-executable";
import { fetchNodeBase } from "./node-base";
import { makeSeaBlob } from "./sea-blob";
import { AGENT_TARGETS, hostTargetName, NODE_BASE_VERSION, type AgentTarget } from "./targets";

export interface BuildAgentsOptions {
  /** The project directory. */
  repoDir: string;
  targets: readonly AgentTarget[];
  /** Where the executables and SHA256SUMS go. */
  outDir: string;
  /** Where node base binaries are kept between builds. */
  cacheDir: string;
  /** Version baked into the executables. @default this build's VERSION */
  version?: string;
  /** Called after each step, for progress output. */
  onStep?: (step: string, elapsedMs: number) => void;
}

export interface BuiltAgent {
  target: AgentTarget;
  file: string;
  /** Size of the SEA blob injected into it. */
  blobBytes: number;
}

/** Bundle, blob, then one executable per target, then SHA256SUMS over the directory. */
export async function buildAgents(options: BuildAgentsOptions): Promise<BuiltAgent[]> {
  const { repoDir, targets, outDir, cacheDir } = options;
  const started = Date.now();
  const step = (name: string) => options.onStep?.(name, Date.now() - started);
  fs.mkdirSync(outDir, { recursive: true });

  const hostNode = fetchNodeBase(hostTarget(), NODE_BASE_VERSION, cacheDir);
  const bases = targets.map((target) => fetchNodeBase(target, NODE_BASE_VERSION, cacheDir));
  step("node bases ready");

  const workDir = fs.mkdtempSync(path.join(outDir, ".work-"));
  try {
    const bundleFile = path.join(workDir, "agent.cjs");
    const blobFile = path.join(workDir, "agent.blob");
    bundleAgent(repoDir, bundleFile, options.version ?? VERSION);
    makeSeaBlob(hostNode, bundleFile, blobFile);
    step("bundle and SEA blob made");

    const blob = fs.readFileSync(blobFile);
    const built: BuiltAgent[] = [];
    for (const [index, target] of targets.entries()) {
      const file = path.join(outDir, target.outputName);
      await injectBlob(target, bases[index] as string, blob, file);
      checkInjected(target, file, blob.length);
      built.push({ target, file, blobBytes: blob.length });
      step(`${target.outputName} written`);
    }

    // Every executable in the directory, so building one target keeps the others' sums.
    const present = AGENT_TARGETS.map((target) => target.outputName).filter((name) =>
      fs.existsSync(path.join(outDir, name)),
    );
    writeChecksums(outDir, present);
    return built;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Fails the build when postject's output lacks the blob or the flipped fuse. */
function checkInjected(target: AgentTarget, file: string, blobBytes: number): void {
  const facts = inspectExecutable(fs.readFileSync(file));
  if (!facts.fuseFlipped) throw new Error(`${file}: the SEA fuse was not flipped`);
  // ELF keeps the blob in a note, which the test suite checks by running the executable.
  if (target.format !== "elf" && facts.seaBlobBytes !== blobBytes) {
    throw new Error(`${file}: SEA blob of ${facts.seaBlobBytes} bytes, expected ${blobBytes}`);
  }
}

function hostTarget(): AgentTarget {
  const name = hostTargetName();
  const target = AGENT_TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`agents are built on one of the target platforms, not ${name}`);
  return target;
}
