/** `vllm-tco prices refresh`: live AWS prices into the local cache; exit 4 when something was not fetched. */
import { INSTANCE_TYPES } from "../cost/catalog";
import { catalogKey } from "./flags";
import type { Io } from "./io";

/** `prices refresh` could not fetch everything (the rest is reported; the catalog stays in use). */
export const EXIT_PARTIAL = 4;

export interface PricesOptions {
  readonly region?: string;
  readonly instanceTypes?: string;
  readonly json?: boolean;
}

export async function pricesRefreshCommand(v: PricesOptions, io: Io): Promise<number> {
  const types =
    v.instanceTypes
      ?.split(",")
      .map((t) => t.trim())
      .filter(Boolean) ?? Object.keys(INSTANCE_TYPES);
  for (const t of types) catalogKey("instance-types", t, INSTANCE_TYPES, "instance type");
  const region = v.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  // Loaded only here: the AWS SDK is large and `cost` must start fast.
  const { refreshPrices } = await import("../cost/prices/refresh");
  const { cachePath } = await import("../cost/catalog/price-cache");
  io.err(
    `vllm-tco: asking the AWS Price List and EC2 spot price APIs for ${types.length} instance type(s) in ${region}…`,
  );
  const report = await refreshPrices({ region, instanceTypes: types, cacheFile: cachePath() });
  if (v.json) io.out(JSON.stringify({ version: "1", ...report }, null, 2));
  else {
    if (report.unavailable) io.err(`vllm-tco: ${report.unavailable}`);
    for (const u of report.updated)
      io.out(
        `${u.instanceType} ${region}: ${u.onDemand !== undefined ? `on-demand $${u.onDemand}/h` : "on-demand unchanged"}, ${u.spot !== undefined ? `spot $${u.spot.toFixed(4)}/h` : "spot unchanged"}`,
      );
    for (const p of report.problems)
      io.err(`vllm-tco: ${p.instanceType} ${p.kind}: ${p.problem}; not cached, the older price stays in use`);
    io.out(
      report.updated.length
        ? `cached in ${report.cacheFile}`
        : "nothing cached; reports keep using the catalog",
    );
  }
  return report.unavailable || report.problems.length ? EXIT_PARTIAL : 0;
}
