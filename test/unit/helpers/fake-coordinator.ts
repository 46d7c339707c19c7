import * as grpc from "@grpc/grpc-js";
import {
  AgentServiceService,
  type AgentMessage,
  type AgentServiceServer,
  type Config,
  type ServerMessage,
} from "../../../shared/gen/tracker/v1/agent";

type Call = grpc.ServerDuplexStream<AgentMessage, ServerMessage>;
type Case = NonNullable<AgentMessage["kind"]>["$case"];

interface Waiter {
  test: (m: AgentMessage) => boolean;
  resolve: (m: AgentMessage) => void;
}

type ValueOf<C extends Case> = Extract<NonNullable<AgentMessage["kind"]>, { $case: C }>["value"];

/** One agent stream as the test sees it from the server side. */
export class FakeSession {
  readonly received: AgentMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private cursor = 0;
  readonly ended: Promise<void>;

  constructor(readonly call: Call) {
    call.on("data", (message: AgentMessage) => {
      this.received.push(message);
      const index = this.waiters.findIndex((w) => w.test(message));
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(message);
    });
    this.ended = new Promise((resolve) => {
      call.on("end", () => {
        call.end();
        resolve();
      });
      call.on("error", () => resolve());
      call.on("cancelled", () => resolve());
    });
  }

  /** The next message of this kind not yet consumed by next(). */
  next<C extends Case>(kind: C): Promise<ValueOf<C>> {
    const test = (m: AgentMessage) => m.kind?.$case === kind;
    for (; this.cursor < this.received.length; this.cursor += 1) {
      const message = this.received[this.cursor] as AgentMessage;
      if (test(message)) {
        this.cursor += 1;
        return Promise.resolve(message.kind?.value as never);
      }
    }
    return new Promise((resolve) => {
      this.waiters.push({
        test,
        resolve: (m) => {
          this.cursor = this.received.length;
          resolve(m.kind?.value as never);
        },
      });
    });
  }

  all<C extends Case>(kind: C) {
    return this.received.filter((m) => m.kind?.$case === kind).map((m) => m.kind?.value);
  }

  send(kind: NonNullable<ServerMessage["kind"]>): void {
    this.call.write({ kind });
  }
}

export interface FakeCoordinator {
  address: string;
  nextSession(): Promise<FakeSession>;
  close(): Promise<void>;
}

/** A gRPC AgentService on 127.0.0.1 whose sessions the test drives by hand. */
export async function startFakeCoordinator(): Promise<FakeCoordinator> {
  const sessions: FakeSession[] = [];
  const waiting: ((s: FakeSession) => void)[] = [];

  const impl: AgentServiceServer = {
    session(call) {
      const session = new FakeSession(call);
      const waiter = waiting.shift();
      if (waiter) waiter(session);
      else sessions.push(session);
    },
    enroll(_call, callback) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: "not faked" });
    },
    downloadRelease(call) {
      call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "not faked" });
    },
  };
  const server = new grpc.Server();
  server.addService(AgentServiceService, impl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });

  return {
    address: `127.0.0.1:${port}`,
    nextSession: () => {
      const queued = sessions.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => {
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

export function testConfig(apiBaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    apiBaseUrl,
    applicationId: "test-key",
    requestsPerSecond: 200,
    maxInFlight: 2,
    fields: [],
    language: "en",
    requestTimeoutMs: 2_000,
    maxAttempts: 3,
    retryInitialMs: 10,
    retryMaxMs: 50,
    apiKeyId: 1,
    ...overrides,
  };
}
