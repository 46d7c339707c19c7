import net from "node:net";

/** A loopback TCP proxy whose connections a test can freeze and cut, like a failing network. */
export interface TcpProxy {
  /** host:port to connect to instead of the target. */
  address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Bytes forwarded from clients to the target. */
  readonly bytesUp: number;
  /**
   * The network fails: for holdMs nothing is forwarded either way (bytes sent meanwhile are
   * lost), then every connection is destroyed, and new ones are refused for refuseMs.
   */
  cut(options: { holdMs: number; refuseMs: number }): Promise<number>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  frozen: boolean;
}

/** Starts a proxy on 127.0.0.1 that forwards every connection to 127.0.0.1:targetPort. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let refuseUntil = 0;
  let connections = 0;
  let bytesUp = 0;

  const server = net.createServer((client) => {
    if (Date.now() < refuseUntil) return void client.destroy();
    connections += 1;
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    client.on("data", (chunk) => {
      if (pair.frozen) return;
      bytesUp += chunk.length;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get bytesUp() {
      return bytesUp;
    },
    async cut({ holdMs, refuseMs }) {
      const cutPairs = [...pairs];
      for (const pair of cutPairs) pair.frozen = true;
      await new Promise((r) => setTimeout(r, holdMs));
      refuseUntil = Date.now() + refuseMs;
      for (const pair of cutPairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return cutPairs.length;
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
