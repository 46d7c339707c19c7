import { parseArgs } from "node:util";
import type { ApiKey } from "./api-keys";
import type { FaultSettings } from "./faults";
import type { SimulatorServerOptions } from "./server";

/** Usage text of the CLI, printed for --help and after a bad flag. */
export const USAGE = `usage: main.ts [flags]
  --port N                    port on 127.0.0.1 (0 = any free port; default 0)
  --seed N                    seed of every random decision (default 1)
  --ids-per-platform N        initial ids per platform (default 100000)
  --exist-share X             share of ids with an account (default 0.6)
  --start-day YYYY-MM-DD      date of simulated day 1 (default 2026-11-01)
  --active-share X            share of accounts playing per day (default 0.15)
  --max-battles-per-day N     most battles an active player gains per day (default 20)
  --new-accounts-per-day X    new accounts per day, share of ids-per-platform (default 0.003)
  --reappear-per-day X        accounts appearing at empty old ids per day, share (default 0)
  --statistics-null-share X   share of accounts answered with statistics: null (default 0)
  --ps-suffix TEXT            PlayStation nickname suffix (default -p)
  --key ID:KIND:RPS[:IP|IP]   an API key (repeatable; default demo-key:server:20)
  --faults JSON               fault shares, e.g. '{"sourceNotAvailable":0.05}'
  --no-rate-limit             measure budgets but never refuse
  --client-ip-header NAME     take the client IP from this header (e.g. x-forwarded-for)`;

/** Turns command-line flags into simulator options; throws with a readable message. */
export function parseCliArgs(argv: string[]): SimulatorServerOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean" },
      port: { type: "string" },
      seed: { type: "string" },
      "ids-per-platform": { type: "string" },
      "exist-share": { type: "string" },
      "start-day": { type: "string" },
      "active-share": { type: "string" },
      "max-battles-per-day": { type: "string" },
      "new-accounts-per-day": { type: "string" },
      "statistics-null-share": { type: "string" },
      "reappear-per-day": { type: "string" },
      "ps-suffix": { type: "string" },
      key: { type: "string", multiple: true },
      faults: { type: "string" },
      "no-rate-limit": { type: "boolean" },
      "client-ip-header": { type: "string" },
    },
    strict: true,
  });
  if (values.help === true) {
    return "help";
  }

  const num = (name: keyof typeof values): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
      throw new Error(`--${name} must be a number, got ${JSON.stringify(raw)}`);
    }
    return value;
  };

  return {
    port: num("port"),
    seed: num("seed"),
    idsPerPlatform: num("ids-per-platform"),
    existShare: num("exist-share"),
    startDay: values["start-day"],
    activeShare: num("active-share"),
    maxBattlesPerDay: num("max-battles-per-day"),
    newAccountsPerDay: num("new-accounts-per-day"),
    statisticsNullShare: num("statistics-null-share"),
    reappearPerDay: num("reappear-per-day"),
    psNicknameSuffix: values["ps-suffix"],
    keys: values.key?.map(parseKeyFlag),
    faults: values.faults === undefined ? undefined : parseFaultsFlag(values.faults),
    rateLimit: values["no-rate-limit"] === true ? false : undefined,
    clientIpHeader: values["client-ip-header"],
  };
}

/** `ID:KIND:RPS[:IP|IP...]`; append `:blocked` to register a blocked key. */
function parseKeyFlag(text: string): ApiKey {
  const [applicationId, kind, rps, ips, flag] = text.split(":");
  if (!applicationId || (kind !== "server" && kind !== "standalone") || !/^\d+$/.test(rps ?? "")) {
    throw new Error(`--key must be ID:server|standalone:RPS[:IP|IP][:blocked], got ${text}`);
  }
  const key: ApiKey = { applicationId, kind, requestsPerSecond: Number(rps) };
  if (ips) {
    key.allowedIps = ips.split("|");
  }
  if (flag === "blocked") {
    key.blocked = true;
  }
  return key;
}

function parseFaultsFlag(text: string): FaultSettings {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("--faults must be a JSON object of fault shares");
  }
  return value as FaultSettings;
}
