import { MACHO_SEA_SEGMENT, SEA_FUSE, SEA_RESOURCE } from "./targets";

/** What a built executable carries, read from its bytes (the build runs on Linux). */
export interface ExecutableFacts {
  format: "elf" | "pe32+" | "macho64" | "unknown";
  /** x86_64, arm64, ... as the header names the machine. */
  machine: string;
  /** Size of the NODE_SEA_BLOB resource or section; null when there is none. */
  seaBlobBytes: number | null;
  /** The SEA fuse says a blob was injected (":1"). */
  fuseFlipped: boolean;
  /** Mach-O only: the file still has an LC_CODE_SIGNATURE (the base's, no longer valid). */
  hasCodeSignature: boolean;
}

/** Reads the header, the SEA blob's size and the fuse of an ELF, PE or Mach-O file. */
export function inspectExecutable(bytes: Buffer): ExecutableFacts {
  const fuseFlipped = bytes.indexOf(`${SEA_FUSE}:1`) !== -1;
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = ELF_MACHINES[bytes.readUInt16LE(18)] ?? "other";
    return { format: "elf", machine, seaBlobBytes: null, fuseFlipped, hasCodeSignature: false };
  }
  if (bytes.readUInt16LE(0) === 0x5a4d) return { ...inspectPe(bytes), fuseFlipped };
  if (bytes.readUInt32LE(0) === 0xfeedfacf) return { ...inspectMachO(bytes), fuseFlipped };
  const none = { seaBlobBytes: null, hasCodeSignature: false };
  return { format: "unknown", machine: "", ...none, fuseFlipped };
}

const ELF_MACHINES: Record<number, string> = { 0x3e: "x86_64", 0xb7: "arm64" };
const PE_AMD64 = 0x8664;
const PE32_PLUS = 0x20b;
const RT_RCDATA = 10;
const MACHO_X86_64 = 0x01000007;
const MACHO_ARM64 = 0x0100000c;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;

type FormatFacts = Omit<ExecutableFacts, "fuseFlipped">;

function inspectPe(bytes: Buffer): FormatFacts {
  const pe = bytes.readUInt32LE(0x3c);
  const coff = pe + 4;
  const machine = bytes.readUInt16LE(coff) === PE_AMD64 ? "x86_64" : "other";
  const sectionCount = bytes.readUInt16LE(coff + 2);
  const optional = coff + 20;
  const optionalSize = bytes.readUInt16LE(coff + 16);
  const plus = bytes.readUInt16LE(optional) === PE32_PLUS;
  const format = plus ? "pe32+" : "unknown";
  if (!plus) return { format, machine, seaBlobBytes: null, hasCodeSignature: false };

  // Data directory 2 is the resource table; PE32+ data directories start at offset 112.
  const resourceRva = bytes.readUInt32LE(optional + 112 + 2 * 8);
  const sections = readPeSections(bytes, optional + optionalSize, sectionCount);
  const toOffset = (rva: number) => {
    const section = sections.find((s) => rva >= s.rva && rva < s.rva + s.size);
    return section ? rva - section.rva + section.offset : -1;
  };
  const root = toOffset(resourceRva);
  const seaBlobBytes = root < 0 ? null : findPeResource(bytes, root, toOffset);
  return { format, machine, seaBlobBytes, hasCodeSignature: false };
}

function readPeSections(bytes: Buffer, table: number, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const at = table + index * 40;
    return {
      size: Math.max(bytes.readUInt32LE(at + 8), bytes.readUInt32LE(at + 16)),
      rva: bytes.readUInt32LE(at + 12),
      offset: bytes.readUInt32LE(at + 20),
    };
  });
}

/** Walks type RT_RCDATA → name NODE_SEA_BLOB → first language → data entry size. */
function findPeResource(bytes: Buffer, root: number, toOffset: (rva: number) => number) {
  const entries = (dir: number) => {
    const count = bytes.readUInt16LE(dir + 12) + bytes.readUInt16LE(dir + 14);
    return Array.from({ length: count }, (_, index) => ({
      name: bytes.readUInt32LE(dir + 16 + index * 8),
      target: bytes.readUInt32LE(dir + 20 + index * 8),
    }));
  };
  const HIGH = 0x80000000;
  const rcdata = entries(root).find((entry) => entry.name === RT_RCDATA);
  if (!rcdata || !(rcdata.target & HIGH)) return null;

  const named = entries(root + (rcdata.target & ~HIGH)).find((entry) => {
    if (!(entry.name & HIGH)) return false;
    const at = root + (entry.name & ~HIGH);
    const length = bytes.readUInt16LE(at);
    return bytes.subarray(at + 2, at + 2 + length * 2).toString("utf16le") === SEA_RESOURCE;
  });
  if (!named || !(named.target & HIGH)) return null;

  const language = entries(root + (named.target & ~HIGH))[0];
  if (!language || language.target & HIGH) return null;
  const dataEntry = root + language.target;
  return toOffset(bytes.readUInt32LE(dataEntry)) < 0 ? null : bytes.readUInt32LE(dataEntry + 4);
}

function inspectMachO(bytes: Buffer): FormatFacts {
  const cpu = bytes.readUInt32LE(4);
  const machine = cpu === MACHO_X86_64 ? "x86_64" : cpu === MACHO_ARM64 ? "arm64" : "other";
  const commandCount = bytes.readUInt32LE(16);
  let seaBlobBytes: number | null = null;
  let hasCodeSignature = false;

  let at = 32;
  for (let index = 0; index < commandCount; index += 1) {
    const command = bytes.readUInt32LE(at);
    if (command === LC_CODE_SIGNATURE) hasCodeSignature = true;
    if (command === LC_SEGMENT_64 && cString(bytes, at + 8) === MACHO_SEA_SEGMENT) {
      seaBlobBytes = machOSectionSize(bytes, at, `__${SEA_RESOURCE}`);
    }
    at += bytes.readUInt32LE(at + 4);
  }
  return { format: "macho64", machine, seaBlobBytes, hasCodeSignature };
}

function machOSectionSize(bytes: Buffer, segment: number, name: string): number | null {
  const sectionCount = bytes.readUInt32LE(segment + 64);
  for (let index = 0; index < sectionCount; index += 1) {
    const section = segment + 72 + index * 80;
    if (cString(bytes, section) === name) return Number(bytes.readBigUInt64LE(section + 40));
  }
  return null;
}

/** A NUL-padded name of up to 16 bytes. */
function cString(bytes: Buffer, at: number): string {
  const raw = bytes.subarray(at, at + 16);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? 16 : end).toString("latin1");
}
