import fs from "node:fs";
import t from "tap";
import { inspectExecutable } from "../../agent/build/inspect-executable";
import { buildForTest } from "./build-helpers";

t.test("the Windows and macOS executables carry the blob and the flipped fuse", async (t) => {
  const { built } = await buildForTest(t, ["win-x64", "darwin-x64"]);
  const [windows, macos] = built;

  const exe = inspectExecutable(fs.readFileSync(windows?.file as string));
  t.match(windows?.file, /tracker-agent-win-x64\.exe$/);
  t.same(exe, {
    format: "pe32+",
    machine: "x86_64",
    seaBlobBytes: windows?.blobBytes,
    fuseFlipped: true,
    hasCodeSignature: false,
  });

  const macho = inspectExecutable(fs.readFileSync(macos?.file as string));
  t.match(macos?.file, /tracker-agent-darwin-x64$/);
  t.match(macho, {
    format: "macho64",
    machine: "x86_64",
    seaBlobBytes: macos?.blobBytes,
    fuseFlipped: true,
  });
  // postject drops the base's signature; the README says how a volunteer signs ad hoc.
  t.equal(macho.hasCodeSignature, false, "no stale signature is left behind");
  t.ok((windows?.blobBytes ?? 0) > 100_000, "the blob holds the bundled agent");
});
