import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../shared/repo-root";

/** The buf executable of the @bufbuild/buf package (what `npx buf` runs). */
const BUF = path.join(repoRoot(), "node_modules", ".bin", "buf");

export interface CurlResult {
  /** buf's exit code: 0, or the gRPC status code times 8. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The gRPC error buf printed on stderr, e.g. { code: "unauthenticated", message }. */
  error?: { code: string; message: string };
}

export interface CurlOptions {
  token?: string;
  /** Request body (JSON), sent with -d. */
  data?: unknown;
  /** Extra buf curl flags, e.g. ["--reflect-protocol", "grpc-v1alpha"]. */
  flags?: string[];
}

/**
 * Runs `buf curl --protocol grpc --http2-prior-knowledge` against a server on loopback, as an
 * admin without the .proto files would: every schema comes from server reflection.
 */
export function bufCurl(url: string, options: CurlOptions = {}): Promise<CurlResult> {
  const args = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...(options.flags ?? [])];
  if (options.token !== undefined) args.push("-H", `authorization: Bearer ${options.token}`);
  if (options.data !== undefined) args.push("-d", JSON.stringify(options.data));
  args.push(url);
  return new Promise((resolve) => {
    execFile(BUF, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const exitCode = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ exitCode, stdout, stderr, error: parseError(stderr) });
    });
  });
}

/**
 * Runs buf curl on a server-streaming call and stops it (as Ctrl-C would) once `count`
 * messages have arrived; rejects when they do not within timeoutMs.
 */
export function bufCurlStream(
  url: string,
  options: CurlOptions & { count: number; timeoutMs?: number },
): Promise<Record<string, unknown>[]> {
  const args = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...(options.flags ?? [])];
  if (options.token !== undefined) args.push("-H", `authorization: Bearer ${options.token}`);
  if (options.data !== undefined) args.push("-d", JSON.stringify(options.data));
  args.push(url);
  const child = spawn(BUF, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fewer than ${options.count} messages: ${stdout} ${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      // buf curl prints each message as indented JSON whose last line is a lone "}".
      const messages = stdout
        .split(/^\}$/m)
        .slice(0, -1)
        .map((m) => JSON.parse(`${m}}`));
      if (messages.length < options.count) return;
      clearTimeout(timer);
      child.kill("SIGTERM");
      resolve(messages);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`buf curl exited (${code}) early: ${stderr}`));
    });
  });
}

/** A client for one server's AdminService, with the token already set. */
export function adminCurl(port: number, token: string) {
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    /** Calls tracker.v1.AdminService/<method>; resolves with the parsed answer or the error. */
    async call<T = Record<string, unknown>>(
      method: string,
      data: unknown = {},
      extra: Omit<CurlOptions, "data"> = {},
    ): Promise<{ ok: boolean; body: T; error?: CurlResult["error"]; raw: CurlResult }> {
      const raw = await bufCurl(`${base}/tracker.v1.AdminService/${method}`, {
        token,
        data,
        ...extra,
      });
      const body =
        raw.exitCode === 0 && raw.stdout.trim() ? (JSON.parse(raw.stdout) as T) : ({} as T);
      return { ok: raw.exitCode === 0, body, error: raw.error, raw };
    },
  };
}

function parseError(stderr: string): CurlResult["error"] {
  const start = stderr.indexOf("{");
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(stderr.slice(start, stderr.lastIndexOf("}") + 1));
    return typeof parsed.code === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}
