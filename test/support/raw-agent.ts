import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { credentialMetadata, type AgentCredential } from "../../agent/credentials";
import { enroll } from "../../agent/enroll";
import { agentChannelCredentials, createAgentServiceClient } from "../../agent/grpc-channel";
import { ERROR_CODE_TRAILER } from "../../shared/errors";
import {
  AgentServiceClient,
  type AgentMessage,
  type Assign,
  type Player,
  type ServerMessage,
} from "../../shared/gen/tracker/v1/agent";
import { toPlayer } from "../../shared/wg-api";
import type { Simulation } from "../sim/simulation";
import type { AdminClient } from "./admin-client";

type Kind = NonNullable<ServerMessage["kind"]>["$case"];
type ValueOf<K extends Kind> = Extract<NonNullable<ServerMessage["kind"]>, { $case: K }>["value"];

/** How a Session stream ended: the tracker error code (or gRPC status name) and details. */
export interface StreamEnd {
  code: string;
  details: string;
}

export interface RawSessionOptions {
  /** The HTTP/2 window this client offers; 0 means the server can send it nothing. */
  windowBytes?: number;
  /** Credential metadata to send; null sends none. @default the enrolled credential */
  metadata?: grpc.Metadata | null;
}

/**
 * An agent written by hand on the generated gRPC code, for tests of what a buggy or hostile
 * agent can do: every message is sent exactly as the test says, nothing is checked first.
 * It enrolls like a real agent and speaks over the same pinned TLS.
 */
export class RawAgent {
  readonly received: ServerMessage[] = [];
  /** Resolves when the stream ends, with its error code. */
  ended!: Promise<StreamEnd>;
  private client!: AgentServiceClient;
  private stream!: grpc.ClientDuplexStream<AgentMessage, ServerMessage>;
  private waiters = new Set<() => void>();

  private constructor(
    readonly credential: AgentCredential,
    private readonly server: string,
  ) {}

  /** Enrolls a new agent with a fresh token from the admin service. */
  static async enroll(
    admin: AdminClient,
    home: string,
    name: string,
    server?: string,
  ): Promise<RawAgent> {
    fs.mkdirSync(home, { recursive: true });
    const { token } = await admin.call("createEnrollmentToken", { name });
    const { credential } = await enroll({ token, home, agentName: name });
    return new RawAgent(credential, server ?? credential.serverAddress);
  }

  get agentId(): string {
    return this.credential.agentId;
  }

  /** Opens a Session stream; says Hello unless told not to. */
  open(options: RawSessionOptions & { hello?: boolean } = {}): this {
    const channel = agentChannelCredentials(this.credential);
    this.client =
      options.windowBytes === undefined
        ? createAgentServiceClient(this.server, channel)
        : new AgentServiceClient(this.server, channel, {
            "grpc-node.flow_control_window": options.windowBytes,
          });
    const metadata =
      options.metadata === undefined ? credentialMetadata(this.credential) : options.metadata;
    this.stream = this.client.session(metadata ?? new grpc.Metadata());
    this.ended = new Promise((resolve) => {
      this.stream.on("error", (err: grpc.ServiceError) => {
        const code = err.metadata?.get(ERROR_CODE_TRAILER)[0];
        resolve({ code: String(code ?? grpc.status[err.code]), details: err.details });
      });
      this.stream.on("end", () => resolve({ code: "OK", details: "" }));
    });
    if (options.windowBytes !== 0) {
      this.stream.on("data", (message: ServerMessage) => {
        this.received.push(message);
        for (const wake of this.waiters) wake();
      });
    }
    if (options.hello !== false) {
      const hello = {
        agentId: "",
        agentName: "raw",
        version: "0.0.0",
        os: "linux",
        arch: "x64",
        capacity: 8,
      };
      this.send({ kind: { $case: "hello", value: hello } });
    }
    return this;
  }

  send(message: AgentMessage): boolean {
    return this.stream.write(message);
  }

  want(credit: number): void {
    this.send({ kind: { $case: "want", value: { credit } } });
  }

  result(leaseId: number, players: Player[]): void {
    const value = { leaseId, fetchedAtMs: Date.now(), players, requests: 1, rateLimited: 0 };
    this.send({ kind: { $case: "batchResult", value } });
  }

  /** Resolves with the first message received (so far or later) that matches. */
  async waitFor<K extends Kind>(
    kind: K,
    match: (value: ValueOf<K>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<ValueOf<K>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.received) {
        if (m.kind?.$case === kind && match(m.kind.value as never)) return m.kind.value as never;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /**
   * Works like an eager honest agent: every assignment is answered at once with the
   * simulator's players (changed by `tamper`, for a lying agent), and, as the real agent
   * does, each report asks for one more.
   */
  reportHonestly(
    sim: Simulation,
    credit = 8,
    tamper: (players: Player[]) => Player[] = (p) => p,
  ): void {
    this.stream.on("data", (message: ServerMessage) => {
      const kind = message.kind;
      if (kind?.$case === "assign") {
        this.result(kind.value.leaseId, tamper(honestPlayers(sim, kind.value)));
      }
      if (kind?.$case === "assign" || kind?.$case === "revoke") this.want(1);
    });
    this.want(credit);
  }

  /** Assignments received so far. */
  assigns(): Assign[] {
    return this.received.flatMap((m) => (m.kind?.$case === "assign" ? [m.kind.value] : []));
  }

  close(): void {
    this.stream?.cancel();
    this.client?.close();
  }
}

/** The players of an assignment as an honest agent would report them, from the simulator. */
export function honestPlayers(sim: Simulation, assign: Assign): Player[] {
  const platform = assign.realm as "xbox" | "ps";
  const ids = new Set(assign.accountIds);
  const first = Math.min(...assign.accountIds);
  const last = Math.max(...assign.accountIds);
  const page = sim.accountTotals(platform, first, last, 1000);
  const players: Player[] = [];
  for (const account of page.accounts) {
    if (!ids.has(account.account_id)) continue;
    const entry = toPlayer(account.account_id, account as unknown as Record<string, unknown>);
    if ("player" in entry) players.push(entry.player);
  }
  return players;
}

/** A directory for a raw agent's credential under the cluster's data directory. */
export function rawAgentHome(dataDir: string, name: string): string {
  return path.join(dataDir, `raw-${name}`);
}
