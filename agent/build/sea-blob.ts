import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * Turns the bundle into a SEA preparation blob with the given node binary, which must be the
 * Node release the executables are built on: the blob format belongs to that release. Without
 * code cache or snapshot the blob holds only the script and suits every platform.
 */
export function makeSeaBlob(nodeBinary: string, bundleFile: string, blobFile: string): void {
  const workDir = path.dirname(blobFile);
  const configFile = path.join(workDir, "sea-config.json");
  // Relative paths: the blob records the main script's path, and a temporary directory's
  // name in it would make every build differ.
  const config = {
    main: path.relative(workDir, bundleFile),
    output: path.basename(blobFile),
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
    useSnapshot: false,
  };
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));

  execFileSync(nodeBinary, ["--experimental-sea-config", path.basename(configFile)], {
    cwd: workDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {},
  });
}
