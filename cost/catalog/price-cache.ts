/**
 * The local price cache: what `vllm-tco prices refresh` fetched, with when. A JSON file written
 * atomically (temp file + rename), so a crash mid-write never leaves half a cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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
    if (doc.version !== 1 || typeof doc.entries !== "object") throw new Error("unknown format");
    return { cache: doc };
  } catch (e) {
    return {
      cache: EMPTY_CACHE,
      warning: `price cache ${file} is unreadable (${(e as Error).message}); using the catalog. Run \`vllm-tco prices refresh\` to rebuild it.`,
    };
  }
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
