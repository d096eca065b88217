/**
 * The local price cache: what `vllm-tco prices refresh` fetched, with when. A JSON file written
 * atomically (temp file + rename), so a crash mid-write never leaves half a cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { implausible } from "./price-bounds";
import { INSTANCE_TYPES } from "./instances";

export interface CachedPrice {
  readonly usdPerHour: number;
  /** ISO time the price was fetched. */
  readonly fetchedAt: string;
  readonly source: string;
}

export interface PriceCache {
  readonly version: 1;
  /** Keyed `region/instanceType`. */
  readonly entries: Readonly<
    Record<string, { readonly onDemand?: CachedPrice; readonly spot?: CachedPrice }>
  >;
}

export const EMPTY_CACHE: PriceCache = { version: 1, entries: {} };

/** `$VLLM_TCO_PRICE_CACHE`, else `.vllm-tco/prices.json` beside the project's Pulumi.yaml. */
export function cachePath(): string {
  return process.env["VLLM_TCO_PRICE_CACHE"] ?? path.join(projectRoot(), ".vllm-tco", "prices.json");
}

/** The cache, or an empty one when there is none (a broken file is ignored with a warning by the caller). */
export function readCache(file = cachePath()): { cache: PriceCache; warning?: string } {
  if (!fs.existsSync(file)) return { cache: EMPTY_CACHE };
  try {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as PriceCache;
    if (doc.version !== 1 || !doc.entries || typeof doc.entries !== "object" || Array.isArray(doc.entries))
      throw new Error("unknown format");
    return validEntries(doc);
  } catch (e) {
    return {
      cache: EMPTY_CACHE,
      warning: `price cache ${file} is unreadable (${(e as Error).message}); using the catalog. Run \`vllm-tco prices refresh\` to rebuild it.`,
    };
  }
}

/** Five minutes of clock skew between the machine that fetched and this one. */
const SKEW_MS = 5 * 60_000;

/** A cached price that can be used: a finite, positive $/h, fetched at a real time not in the future. */
function usable(p: unknown, now: number): p is CachedPrice {
  const c = p as CachedPrice;
  const at = typeof c?.fetchedAt === "string" ? Date.parse(c.fetchedAt) : NaN;
  return (
    typeof c?.usdPerHour === "number" &&
    Number.isFinite(c.usdPerHour) &&
    c.usdPerHour > 0 &&
    Number.isFinite(at) &&
    at <= now + SKEW_MS &&
    typeof c.source === "string"
  );
}

/** Checked on read: a hand-edited or corrupted entry is dropped (the catalog price is used) with a warning. */
function validEntries(doc: PriceCache, now = Date.now()): { cache: PriceCache; warning?: string } {
  const entries: Record<string, { onDemand?: CachedPrice; spot?: CachedPrice }> = Object.create(null);
  const dropped: string[] = [];
  for (const [key, e] of Object.entries(doc.entries)) {
    const kept: { onDemand?: CachedPrice; spot?: CachedPrice } = {};
    const type = INSTANCE_TYPES[key.slice(key.indexOf("/") + 1)];
    for (const kind of ["onDemand", "spot"] as const) {
      const p = (e as Record<string, unknown> | null)?.[kind];
      if (p === undefined) continue;
      // Money is checked like money: the bounds `prices refresh` applies, so a poisoned or hand-edited
      // price (1e300, 1e-300) never reaches a report.
      const ref = type && {
        onDemandUsdPerHour:
          kind === "spot" && kept.onDemand ? kept.onDemand.usdPerHour : type.onDemandUsdPerHour,
        gpus: type.gpus,
      };
      if (
        usable(p, now) &&
        ref &&
        !implausible(kind === "onDemand" ? "on-demand" : "spot", p.usdPerHour, ref)
      )
        kept[kind] = p;
      else dropped.push(`${key} ${kind}`);
    }
    if (kept.onDemand || kept.spot) entries[key] = kept;
  }
  return {
    cache: { version: 1, entries },
    ...(dropped.length && {
      warning: `price cache: ignored ${dropped.length} entr${dropped.length > 1 ? "ies" : "y"} that are not a plausible price for a catalog instance type fetched in the past (${dropped.slice(0, 5).join(", ")}${dropped.length > 5 ? ", …" : ""}); the catalog prices are used for them. Run \`vllm-tco prices refresh\`.`,
    }),
  };
}

export function writeCache(cache: PriceCache, file = cachePath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(cache, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** The folder holding Pulumi.yaml, searched upwards from this module (the bundled CLI sits in dist/). */
function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const cacheKey = (region: string, instanceType: string) => `${region}/${instanceType}`;
