import { apiErrors, type ApiError } from "./api-errors";

/** An application key as registered in WG's Developer Room. */
export interface ApiKey {
  /** The `application_id` value. */
  applicationId: string;
  /** server: one budget for the key and an IP list; standalone: one budget per client IP. */
  kind: "server" | "standalone";
  /** Requests allowed in any 1000 ms window (per key or per IP, by kind). */
  requestsPerSecond: number;
  /** Server keys only: client IPs allowed to use the key; absent = any IP. */
  allowedIps?: string[];
  /** A key blocked by WG answers APPLICATION_IS_BLOCKED. */
  blocked?: boolean;
}

/** The keys the simulator knows, replaceable at run time through /sim/keys. */
export class KeyRegistry {
  private readonly keys = new Map<string, ApiKey>();

  constructor(keys: ApiKey[]) {
    this.put(keys);
  }

  /** Adds keys, replacing those with the same applicationId. */
  put(keys: ApiKey[]): void {
    for (const key of keys) {
      checkKey(key);
      this.keys.set(key.applicationId, { ...key });
    }
  }

  /** Replaces the whole key list. */
  replaceAll(keys: ApiKey[]): void {
    keys.forEach(checkKey);
    this.keys.clear();
    this.put(keys);
  }

  list(): ApiKey[] {
    return [...this.keys.values()];
  }

  /** The key a request may use, or the error WG gives for it. */
  authorize(applicationId: string | undefined, clientIp: string): ApiKey | ApiError {
    if (applicationId === undefined || applicationId === "") {
      return apiErrors.applicationIdNotSpecified();
    }
    const key = this.keys.get(applicationId);
    if (key === undefined) {
      return apiErrors.invalidApplicationId(applicationId);
    }
    if (key.blocked === true) {
      return apiErrors.applicationIsBlocked();
    }
    const ips = key.kind === "server" ? key.allowedIps : undefined;
    if (ips !== undefined && !ips.includes(clientIp)) {
      return apiErrors.invalidIpAddress();
    }
    return key;
  }
}

function checkKey(key: ApiKey): void {
  if (typeof key.applicationId !== "string" || key.applicationId === "") {
    throw new Error("an API key needs a non-empty applicationId");
  }
  if (key.kind !== "server" && key.kind !== "standalone") {
    throw new Error(`API key ${key.applicationId}: kind must be "server" or "standalone"`);
  }
  if (!(Number.isInteger(key.requestsPerSecond) && key.requestsPerSecond > 0)) {
    throw new Error(`API key ${key.applicationId}: requestsPerSecond must be a positive integer`);
  }
}
