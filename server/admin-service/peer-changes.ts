import type { Sql } from "postgres";
import { TrackerError } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import type { AgentHub } from "../agent-service/hub";
import { PeriodicTask } from "../periodic-task";

/** How often admin changes made through another coordinator are picked up here. */
export const PEER_CHANGES_PERIOD_MS = 5_000;

/**
 * Applies admin changes made through another coordinator sharing the database: a changed set of
 * API keys is reloaded (agents here get their new Config), and agents banned there lose their
 * session here. The call's own coordinator applies them at once; this bounds the others' delay.
 */
export class PeerChanges {
  private keysSeen: string | null = null;

  private periodic: PeriodicTask | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly hub: AgentHub,
    private readonly log: Logger,
    private readonly periodMs = PEER_CHANGES_PERIOD_MS,
  ) {}

  start(): void {
    this.periodic ??= new PeriodicTask(this.periodMs, () => this.tick());
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic?.stop();
  }

  async tick(): Promise<void> {
    try {
      await this.reloadChangedKeys();
      await this.dropBannedAgents();
    } catch (err) {
      this.log.debug({ err }, "peer change check failed");
    }
  }

  private async reloadChangedKeys(): Promise<void> {
    const [{ keys }] = await this.sql`
      SELECT coalesce(string_agg(concat_ws(':', id, requests_per_second, kind, enabled), ','
                                 ORDER BY id), '') AS keys
        FROM api_keys`;
    if (this.keysSeen !== null && keys !== this.keysSeen) await this.hub.keyShares.reload();
    this.keysSeen = keys;
  }

  private async dropBannedAgents(): Promise<void> {
    const connected = [...this.hub.sessions].map((s) => s.agentId);
    if (connected.length === 0) return;
    const banned = await this.sql`SELECT id FROM agents WHERE banned AND id = ANY(${connected})`;
    for (const { id } of banned) {
      this.hub.disconnect(id, new TrackerError("AGENT_BANNED", `agent ${id} is banned`));
    }
  }
}
