import { apiErrors, type ApiError } from "./api-errors";

/** Most entries a `fields` list may have. */
export const MAX_FIELDS = 100;

/** A set of dotted paths as a tree; ALL marks a path taken with everything below it. */
export type FieldTree = Map<string, FieldTree | typeof ALL>;
export const ALL = "all-below" as const;

/** A parsed `fields` parameter: paths to keep (undefined = everything) and paths to drop. */
export interface FieldSelection {
  include?: FieldTree;
  exclude?: FieldTree;
}

/**
 * Parses `fields`: comma-separated dotted paths, `-path` to exclude. Empty items are skipped;
 * an empty segment inside a path (`statistics..all`) is malformed. Unknown names are not an
 * error: they simply match nothing.
 */
export function parseFields(raw: string | undefined): FieldSelection | ApiError {
  if (raw === undefined || raw.trim() === "") {
    return {};
  }

  const items = raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length > MAX_FIELDS) {
    return apiErrors.fieldsListLimitExceeded(raw);
  }

  const selection: FieldSelection = {};
  for (const item of items) {
    const excluded = item.startsWith("-");
    const segments = (excluded ? item.slice(1) : item).split(".");
    if (segments.some((segment) => segment.trim() === "")) {
      return apiErrors.invalidFields(raw);
    }
    const tree = excluded ? (selection.exclude ??= new Map()) : (selection.include ??= new Map());
    addPath(tree, segments.map((segment) => segment.trim()));
  }
  return selection;
}

function addPath(tree: FieldTree, segments: string[]): void {
  let node = tree;
  for (let i = 0; i < segments.length; i++) {
    const existing = node.get(segments[i]);
    if (existing === ALL) {
      return;
    }
    if (i === segments.length - 1) {
      node.set(segments[i], ALL);
      return;
    }
    const child: FieldTree = existing ?? new Map();
    node.set(segments[i], child);
    node = child;
  }
}

/**
 * Copies `value` keeping the included paths and dropping the excluded ones. A path that
 * reaches null (e.g. `statistics.all.battles` when statistics is null) keeps the null.
 */
export function selectFields(value: unknown, include?: FieldTree, exclude?: FieldTree): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return value;
  }

  const result: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const kept = include === undefined ? ALL : include.get(name);
    const dropped = exclude?.get(name);
    if (kept === undefined || dropped === ALL) {
      continue;
    }
    if (kept === ALL) {
      result[name] = selectFields(child, undefined, dropped);
      continue;
    }

    // A path below a leaf, or one whose every name is unknown, names nothing.
    if (child !== null && (typeof child !== "object" || Array.isArray(child))) {
      continue;
    }
    const selected = selectFields(child, kept, dropped);
    if (selected === null || Object.keys(selected as object).length > 0) {
      result[name] = selected;
    }
  }
  return result;
}

/** The tracker's usual `fields` list, answered by the fast path. */
export const TRACKER_FIELDS = [
  "created_at",
  "account_id",
  "last_battle_time",
  "nickname",
  "updated_at",
  "statistics.all.spotted",
  "statistics.all.battles",
  "statistics.all.wins",
  "statistics.all.damage_dealt",
  "statistics.all.frags",
  "statistics.all.dropped_capture_points",
];

const TRACKER_FIELD_SET = new Set(TRACKER_FIELDS);

/** Whether `fields` names exactly the tracker's list, in any order. */
export function isTrackerFieldList(raw: string | undefined): boolean {
  if (raw === undefined) {
    return false;
  }
  const items = new Set(raw.split(",").map((item) => item.trim()));
  return items.size === TRACKER_FIELD_SET.size && [...items].every((i) => TRACKER_FIELD_SET.has(i));
}
