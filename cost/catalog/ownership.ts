import type { Source } from "./source";

/**
 * Defaults for owned hardware: one 8-GPU H100 server in a colocation rack. Each is overridable in
 * a stack's `ownership` section; the estimates say so in their source.
 */
export const OWNED_SERVER = {
  gpusPerServer: 8,
  purchaseUsd: 270_000,
  depreciationMonths: 36,
  /** Whole server at full load, GPUs, CPUs, fans and NICs together. */
  loadWatts: 7_500,
  /** Whole server powered with models loaded but no traffic. */
  idleWatts: 1_800,
  pue: 1.58,
  electricityUsdPerKwh: 0.13,
  rackUsdPerMonth: 800,
  /** A year of support as a share of the purchase price: the default support contract follows the server's price. */
  supportPercentOfPurchase: 20,
  costOfCapitalPercent: 0,
  residualValuePercent: 0,
  sources: {
    supportPercentOfPurchase: {
      title:
        "estimate: a year of hardware support at 20% of the server's purchase price, the ratio of NVIDIA's one published DGX support list price ($39,800 a year on the $199,000 DGX A100), applied to the H100 server's price",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
      estimate: true,
    },
    costOfCapitalPercent: {
      title: "assumption: servers bought with cash, no return forgone (set your own rate)",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
      estimate: true,
    },
    residualValuePercent: {
      title: "assumption: no resale value after the depreciation period (set your own)",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
      estimate: true,
    },
    purchaseUsd: {
      title:
        "DGX H100 sale price ~$270,000 (SemiAnalysis AI server cost analysis, 2023, via Epoch AI's training-cost-trends); an 8× H100 SXM server quoted at $317,000 with InfiniBand (Thinkmate, 2024-08)",
      url: "https://github.com/epoch-research/training-cost-trends",
      asOf: "2024-08",
    },
    gpusPerServer: {
      title: "NVIDIA DGX/HGX H100 systems carry 8 GPUs",
      url: "https://www.nvidia.com/en-us/data-center/dgx-h100/",
      asOf: "2025",
    },
    depreciationMonths: {
      title: "3-year life, the common modelling constant for frontier GPUs",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
    },
    loadWatts: {
      title: "DGX H100 up to 10.2 kW, typically 6.5–8.5 kW under load",
      url: "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html",
      asOf: "2025",
    },
    idleWatts: {
      title: "estimate: 8 idle H100 at ~90 W plus host CPUs, fans and NICs",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
      estimate: true,
    },
    pue: {
      title: "Uptime Institute Global Data Center Survey 2023, industry average PUE",
      url: "https://uptimeinstitute.com/resources/research-and-reports/uptime-institute-global-data-center-survey-results-2023",
      asOf: "2023",
    },
    electricityUsdPerKwh: {
      title: "estimate: US commercial average retail electricity price (EIA Electric Power Monthly)",
      url: "https://www.eia.gov/electricity/monthly/",
      asOf: "2025",
      estimate: true,
    },
    rackUsdPerMonth: {
      title:
        "estimate: colocation space, cross-connects and remote hands per server (power billed separately)",
      url: "cost/catalog/reference-prices.md",
      asOf: "2026",
      estimate: true,
    },
  } satisfies Record<string, Source>,
} as const;

/** Engineer time spent on the serving stack. */
export const OPERATIONS = {
  /** Loaded hourly cost of an infrastructure engineer: $200k a year over 2,080 hours. */
  hourlyRateUsd: 96,
  /**
   * Default monthly hours by lane (assumptions, stated): owned hardware needs the most care (drivers,
   * failures, capacity), rented GPUs less (no hardware), a per-token host or API the least: 2 h of
   * integration upkeep (keys, rate limits, usage and model-deprecation watch) for either.
   */
  hoursPerMonth: { aws: 16, kubernetes: 32, managed: 2, api: 2 },
  source: {
    title: "engineers cost $150k–$250k a year; 20% of one on inference infra is $30k–$50k a year",
    url: "cost/catalog/reference-prices.md",
    asOf: "2026",
  } satisfies Source,
} as const;
