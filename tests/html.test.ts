import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareHtml, costHtml } from "../cost/report/html";
import { project, rank } from "../cost/projection";
import { escapeXml, niceTicks } from "../cost/report/svg-chart";
import { base, merge, resolve } from "./helpers";
import { loadStack } from "../cost/config/stack-file";

const STACKS = ["aws-h100", "onprem", "managed"] as const;
const html = Object.fromEntries(STACKS.map((s) => [s, costHtml(project(loadStack({ stack: s })))]));

/** What would make a browser fetch something: scripts, stylesheets, images, fonts, CSS urls. */
function externalLoads(page: string): string[] {
  const patterns = [
    /<script\b/gi,
    /<link\b/gi,
    /<img\b/gi,
    /<iframe\b/gi,
    /\bsrc\s*=/gi,
    /@import/gi,
    /url\((?!#)[^)]*\)/gi,
    /<image\b/gi,
    /xlink:href/gi,
  ];
  return patterns.flatMap((re) => page.match(re) ?? []);
}

describe("the HTML cost report", () => {
  it.each(STACKS)(
    "%s: every lane shows its quality score, rated entry and snapshot link, and its standing",
    (stack) => {
      const p = project(loadStack({ stack }));
      const start = html[stack]!.indexOf('<section id="lanes">');
      const section = html[stack]!.slice(start, html[stack]!.indexOf("</section>", start));
      const rows = [...section.matchAll(/<tr(?: class="stack")?><td>(.*?)<\/td>.*?<\/tr>/g)].map((m) => m[0]);
      expect(rows).toHaveLength(p.lanes.length);
      p.lanes.forEach((l, i) => {
        const q = l.option.quality!;
        expect(rows[i]).toContain(`>${Math.round(q.score)}</span>`);
        expect(rows[i]).toContain(`href="${q.source.url}"`);
        expect(rows[i]).toContain(l.eligible ? "eligible" : "weaker");
      });
    },
  );

  it.each(STACKS)("%s: the plotted break-even points are the computed ones", (stack) => {
    const p = project(loadStack({ stack }));
    const plotted = [
      ...html[stack]!.matchAll(/class="breakeven" data-against="([^"]+)" data-x="([^"]+)"/g),
    ].map((m) => [m[1], Number(m[2])]);
    const computed = p.breakEven
      .filter((b) => b.monthlyOutputTokens !== null && b.monthlyOutputTokens > 0)
      .map((b) => [b.against, b.monthlyOutputTokens]);
    // A per-token stack against per-token APIs with the same upkeep: straight lines through the same
    // fixed cost, so they cross only at zero volume (nothing to plot); self-hosted stacks do cross.
    if (stack === "managed") expect(computed).toEqual([]);
    else expect(plotted.length).toBeGreaterThan(0);
    // Every plotted point is a computed break-even, exactly; computed ones off the chart are only those above its y range.
    for (const [against, x] of plotted) expect(computed).toContainEqual([against, x]);
  });

  it.each(STACKS)("%s: self-contained, no external resource", (stack) => {
    expect(externalLoads(html[stack]!)).toEqual([]);
    expect(html[stack]).toMatch(/^<!doctype html>/);
  });

  it("marks the stack's own volume and escapes every text", () => {
    const p = project(loadStack({ stack: "aws-h100" }));
    expect(html["aws-h100"]).toContain(
      `<line class="volume" data-x="${p.config.workload.monthlyOutputTokens}"`,
    );
    expect(html["aws-h100"]).not.toMatch(
      /<(?!\/?(html|head|meta|title|style|body|header|h1|h2|p|section|svg|defs|clipPath|rect|line|text|g|path|circle|ul|li|span|table|thead|tbody|tfoot|tr|th|td|a|footer|div)\b)[a-z]/i,
    );
  });

  it("compare --html ranks every option with its bar, headlined by the verdict `cost` gives", () => {
    // A score bar that gpt-4o-mini's interval does not reach: one lane shows as below it.
    const cfg = resolve(merge(base.kubernetes, { compare: { qualityBar: 1390 } }));
    const p = project(cfg);
    const page = compareHtml(
      cfg.stack,
      cfg.model.key,
      rank(p),
      p.verdict.summary,
      p.robustness,
      cfg.compare.qualityIndex.name,
    );
    expect(page.match(/<div class="bar/g)).toHaveLength(p.lanes.length);
    expect(page).toContain(`<p class="verdict">${escapeXml(p.verdict.summary)}</p>`);
    expect(page).toContain("below the quality bar");
    expect(page).toContain("this stack");
    expect(externalLoads(page)).toEqual([]);
  });

  it.each([
    [10, [0, 2, 4, 6, 8, 10]],
    [5.3e9, [0, 2e9, 4e9, 6e9]],
    [0, [0, 1]],
  ])("niceTicks(%d)", (max, ticks) => expect(niceTicks(max)).toEqual(ticks));
});

describe("rendered in headless Chromium", () => {
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env["CHROMIUM"] ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);
  afterAll(() => browser?.close());

  it.each([
    ["aws-h100", "light"],
    ["onprem", "dark"],
  ] as const)(
    "%s in the %s theme: the chart area is drawn and the page logs no error",
    async (stack, theme) => {
      const file = path.join(dir, `${stack}.html`);
      fs.writeFileSync(file, html[stack]!);
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, colorScheme: theme });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("requestfailed", (r) => problems.push(`request ${r.url()}`));
      await page.goto(`file://${file}`);
      const png = PNG.sync.read(await page.locator("svg.chart").screenshot());
      const bg = theme === "dark" ? [17, 24, 39] : [255, 255, 255];
      let drawn = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        const d =
          Math.abs(png.data[i]! - bg[0]!) +
          Math.abs(png.data[i + 1]! - bg[1]!) +
          Math.abs(png.data[i + 2]! - bg[2]!);
        if (d > 60) drawn++;
      }
      const share = drawn / (png.width * png.height);
      // Curves, axes, grid and labels: a few percent of the area, never blank, never a solid fill.
      expect(share).toBeGreaterThan(0.02);
      expect(share).toBeLessThan(0.6);
      // The page background follows the theme (the top-left pixel of the chart is background).
      expect([png.data[0], png.data[1], png.data[2]]).toEqual(bg);
      expect(problems).toEqual([]);
      await page.close();
    },
    60_000,
  );

  it.each(["aws-h100", "onprem", "crowded"])(
    "%s: no two chart labels overlap as Chromium lays them out, and none leaves the chart",
    async (stack) => {
      const file = path.join(dir, `labels-${stack}.html`);
      fs.writeFileSync(file, stack === "crowded" ? crowdedPage() : html[stack]!);
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      await page.goto(`file://${file}`);
      // The rendered boxes, from the browser's own text layout: the oracle, not the chart's estimate.
      const boxes = await page.$$eval("svg.chart .breakeven text, svg.chart .volume-label", (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { text: e.textContent ?? "", x0: r.left, x1: r.right, y0: r.top, y1: r.bottom };
        }),
      );
      const chart = await page.locator("svg.chart").boundingBox();
      expect(boxes.length).toBeGreaterThan(1);
      for (let i = 0; i < boxes.length; i++) {
        const a = boxes[i]!;
        expect(a.x1, a.text).toBeLessThanOrEqual(chart!.x + chart!.width + 0.5);
        for (let j = i + 1; j < boxes.length; j++) {
          const b = boxes[j]!;
          const overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
          expect(overlap, `${a.text} overlaps ${b.text}`).toBe(false);
        }
      }
      await page.close();
    },
    60_000,
  );
});

/** A stack whose break-evens crowd together: many APIs crossing a small fleet close to each other. */
function crowdedPage(): string {
  const cfg = resolve(
    merge(base.aws, {
      aws: { instanceType: "g6e.xlarge" },
      scaling: { max: 8 },
      workload: { monthlyInputTokens: 1e9, monthlyOutputTokens: 1e8 },
      compare: {
        apis: [
          "gpt-4o-mini",
          "gpt-5-mini",
          "gpt-4.1",
          "gemini-2.5-flash",
          "gemini-2.5-flash-lite",
          "gemini-3-flash",
          "claude-haiku-4.5",
        ],
      },
    }),
  );
  return costHtml(project(cfg));
}
