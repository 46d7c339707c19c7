import { parseCliArgs, USAGE } from "./cli-args";
import { startSimulator } from "./server";

/**
 * CLI of the WG API simulator. Prints one JSON line when listening, so a parent process can
 * read the port, and closes cleanly on SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const running = await startSimulator(options);
  process.stdout.write(
    `${JSON.stringify({ event: "listening", port: running.port, url: running.url })}\n`,
  );

  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
