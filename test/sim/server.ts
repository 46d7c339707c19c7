import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleApiRequest } from "./api-handler";
import { sendJson } from "./http-reply";
import type { SimOptions } from "./options";
import { createServerContext, type ServerContext } from "./server-context";
import { handleSimRequest } from "./sim-routes";
import { Simulation } from "./simulation";

/** Options of startSimulator: the simulation's options plus where to listen. */
export interface SimulatorServerOptions extends SimOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
}

/** A running simulator. */
export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (API under /wotx/, controls under /sim/). */
  url: string;
  port: number;
  sim: Simulation;
  /** Stops listening, drops stalled answers and open connections. */
  close(): Promise<void>;
}

/** Starts the WG API simulator on 127.0.0.1 (never another interface). */
export async function startSimulator(
  options: SimulatorServerOptions = {},
): Promise<RunningSimulator> {
  const { port = 0, ...simOptions } = options;
  const sim = new Simulation(simOptions);
  const ctx = createServerContext(sim);
  const server = createServer((req, res) => route(ctx, req, res));
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const { timer, res } of ctx.stalled) {
        clearTimeout(timer);
        res.destroy();
      }
      ctx.stalled.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url: `http://127.0.0.1:${bound}`, port: bound, sim, close };
}

function route(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const handle = url.pathname.startsWith("/sim/") ? handleSimRequest : handleApiRequest;
  handle(ctx, req, res, url).catch((err: unknown) => {
    if (!res.headersSent) {
      sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    } else {
      res.destroy();
    }
  });
}
