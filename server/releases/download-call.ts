import fs from "node:fs";
import type * as grpc from "@grpc/grpc-js";
import type { Sql } from "postgres";
import type { Chunk, DownloadReleaseRequest } from "../../shared/gen/tracker/v1/agent";
import { toServiceError, TrackerError } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import { authenticateAgent } from "../enrollment/authenticate";
import { releaseFile } from "./releases";

/** Bytes per Chunk: well under the agent service's message limit. */
export const CHUNK_BYTES = 64 * 1024;

/** The gRPC handler of AgentService.DownloadRelease: streams the file, honouring back-pressure. */
export function downloadReleaseHandler(
  sql: Sql,
  log: Logger,
): grpc.handleServerStreamingCall<DownloadReleaseRequest, Chunk> {
  return (call) => {
    streamRelease(sql, log, call).catch((err: unknown) => {
      if (!(err instanceof TrackerError)) log.error({ err }, "release download failed");
      call.emit("error", toServiceError(err));
    });
  };
}

async function streamRelease(
  sql: Sql,
  log: Logger,
  call: grpc.ServerWritableStream<DownloadReleaseRequest, Chunk>,
): Promise<void> {
  const agentId = await authenticateAgent(sql, call.metadata);
  const { version, os, arch } = call.request;
  const file = await releaseFile(sql, version, os, arch);
  if (!file) throw new TrackerError("NOT_FOUND", `release ${version} has no file for ${os}-${arch}`);
  log.info({ agentId, version, os, arch, size: file.size }, "release download started");

  let cancelled = false;
  call.on("cancelled", () => (cancelled = true));
  const stream = fs.createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const data of stream) {
      if (cancelled) return;
      if (!call.write({ data: data as Buffer })) await drainedOrCancelled(call);
    }
  } finally {
    stream.destroy();
  }
  call.end();
}

/** Waits for room in the stream's buffer, leaving no listener behind. */
function drainedOrCancelled(call: grpc.ServerWritableStream<DownloadReleaseRequest, Chunk>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("cancelled", done);
      resolve();
    };
    call.on("drain", done);
    call.on("cancelled", done);
  });
}
