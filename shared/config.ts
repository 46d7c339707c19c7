import fs from "node:fs";

/** One setting of a config schema. */
export interface SettingSpec {
  type: "string" | "int" | "number" | "boolean" | "list";
  default: string | number | boolean | string[];
  /** One line for the README and `--help`. */
  description: string;
  unit?: string;
  min?: number;
  max?: number;
  /** For strings: the allowed values. */
  oneOf?: string[];
  /** Never printed. */
  secret?: boolean;
}

export type ConfigSchema = Record<string, SettingSpec>;
export type ConfigValue = string | number | boolean | string[];
export type ConfigValues = Record<string, ConfigValue>;

/** A config error names the key, the value and the reason. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`config: ${key}: ${reason}`);
    this.name = "ConfigError";
  }
}

/** `lease.ttlMs` → `TRACKER_LEASE_TTL_MS`. */
export function envName(key: string, prefix = "TRACKER_"): string {
  const snake = key.replace(/\./g, "_").replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  return prefix + snake.toUpperCase();
}

/**
 * Resolves settings in one order: explicit overrides (command line), then environment
 * (TRACKER_*), then the config file, then defaults. Unknown keys in the file are refused, as is
 * any value of the wrong type or out of range.
 */
export function resolveConfig(
  schema: ConfigSchema,
  sources: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> },
): ConfigValues {
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  const env = sources.env ?? {};
  const values: ConfigValues = {};

  for (const key of Object.keys(fromFile)) {
    if (!(key in schema)) throw new ConfigError(key, `unknown key in ${sources.file}`);
  }
  for (const key of Object.keys(sources.overrides ?? {})) {
    if (!(key in schema)) throw new ConfigError(key, "unknown key");
  }

  for (const [key, spec] of Object.entries(schema)) {
    const override = sources.overrides?.[key];
    const fromEnv = env[envName(key)];
    let raw: unknown = spec.default;
    if (key in fromFile) raw = fromFile[key];
    if (fromEnv !== undefined && fromEnv !== "") raw = fromEnv;
    if (override !== undefined) raw = override;
    values[key] = coerce(key, spec, raw);
  }
  return values;
}

/** Reads a JSON config file whose keys are dotted setting names, or nested objects of them. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError("config file", `cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError("config file", `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new ConfigError("config file", `${file} must hold an object`);
  return flatten(parsed);
}

function flatten(obj: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) Object.assign(out, flatten(v, key));
    else out[key] = v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function coerce(key: string, spec: SettingSpec, raw: unknown): ConfigValue {
  switch (spec.type) {
    case "string":
      return checkString(key, spec, raw);
    case "boolean":
      return toBoolean(key, raw);
    case "list":
      return toList(key, raw);
    default:
      return checkRange(key, spec, toNumber(key, spec, raw));
  }
}

function checkString(key: string, spec: SettingSpec, raw: unknown): string {
  if (typeof raw !== "string") throw new ConfigError(key, `expected a string, got ${show(raw)}`);
  if (spec.oneOf && !spec.oneOf.includes(raw)) {
    throw new ConfigError(key, `${show(raw)} is not one of ${spec.oneOf.join(", ")}`);
  }
  return raw;
}

function toBoolean(key: string, raw: unknown): boolean {
  if (typeof raw === "boolean") return raw;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(key, `expected true or false, got ${show(raw)}`);
}

function toList(key: string, raw: unknown): string[] {
  if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return raw;
  if (typeof raw === "string") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  throw new ConfigError(key, `expected a list of strings, got ${show(raw)}`);
}

function toNumber(key: string, spec: SettingSpec, raw: unknown): number {
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new ConfigError(key, `expected a number, got ${show(raw)}`);
  }
  if (spec.type === "int" && !Number.isInteger(n)) {
    throw new ConfigError(key, `expected a whole number, got ${show(raw)}`);
  }
  return n;
}

function checkRange(key: string, spec: SettingSpec, n: number): number {
  if (spec.min !== undefined && n < spec.min) {
    throw new ConfigError(key, `${n} is below the minimum ${spec.min}`);
  }
  if (spec.max !== undefined && n > spec.max) {
    throw new ConfigError(key, `${n} is above the maximum ${spec.max}`);
  }
  return n;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** The values with secrets replaced, for `status` output and logs. */
export function redactConfig(schema: ConfigSchema, values: ConfigValues): ConfigValues {
  const out: ConfigValues = {};
  for (const [k, v] of Object.entries(values)) out[k] = schema[k]?.secret && v ? "[redacted]" : v;
  return out;
}
