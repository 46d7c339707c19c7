import type { Sql } from "postgres";
import type { Logger } from "../../shared/log";
import { PeriodicTask } from "../periodic-task";

/** A probe slower than this counts as a failure: a hung database is no better than a gone one. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Runs `SELECT 1` every periodMs and remembers whether PostgreSQL answered. The health service
 * and the admin status read `reachable`; onChange hears every flip.
 */
export class DatabaseProbe {
  reachable = true;

  private periodic: PeriodicTask | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly periodMs: number,
    private readonly log: Logger,
    private readonly onChange: (reachable: boolean) => void,
  ) {}

  start(): void {
    this.periodic ??= new PeriodicTask(this.periodMs, () => this.check());
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic?.stop();
  }

  /** One probe; resolves with the result. */
  async check(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
        PROBE_TIMEOUT_MS,
      );
    });
    let ok: boolean;
    try {
      await Promise.race([this.sql`SELECT 1`, timeout]);
      ok = true;
    } catch (err) {
      ok = false;
      if (this.reachable) this.log.error({ err }, "database unreachable");
    } finally {
      clearTimeout(timer);
    }
    if (ok && !this.reachable) this.log.info("database reachable again");
    if (ok !== this.reachable) {
      this.reachable = ok;
      this.onChange(ok);
    }
    return ok;
  }
}
