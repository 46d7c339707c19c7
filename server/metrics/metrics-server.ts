import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../shared/log";
import type { TrackerMetrics } from "./tracker-metrics";

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

/** Serves GET /metrics in the Prometheus text format on host:port ("[::1]:9464" works too). */
export async function startMetricsServer(
  metrics: TrackerMetrics,
  listen: string,
  log: Logger,
): Promise<MetricsServer> {
  const cut = listen.lastIndexOf(":");
  const host = listen.slice(0, cut).replace(/^\[|\]$/g, "");
  const port = Number(listen.slice(cut + 1));

  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("only GET /metrics is served here\n");
      return;
    }
    metrics.scrape().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (err) => {
        log.error({ err }, "metrics scrape failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("scrape failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ address: listen, port: bound }, "metrics listening");
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
