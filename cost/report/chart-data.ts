/**
 * The crossover chart's data, separate from any rendering: monthly cost of the stack's option and of
 * each compared per-token option, sampled along monthly output-token volume, with the solved
 * break-even points and the stack's own volume. Terminal and HTML renderers draw this.
 */
import { toUsd } from "../money";
import type { Projection } from "../projection";
import type { OptionKind } from "../options";

export interface Series {
  readonly id: string;
  readonly label: string;
  readonly kind: OptionKind;
  /** Monthly USD at each x; null where the option cannot serve that volume. */
  readonly ys: readonly (number | null)[];
}

export interface ChartData {
  /** Monthly output tokens. */
  readonly xs: readonly number[];
  readonly series: readonly Series[];
  readonly breakEvens: readonly { readonly against: string; readonly x: number; readonly y: number }[];
  readonly stackVolume: number;
}

export function chartData(p: Projection, points = 60): ChartData {
  const volume = p.config.workload.monthlyOutputTokens;
  const finite = p.breakEven
    .map((b) => b.monthlyOutputTokens)
    .filter((x): x is number => x !== null && x > 0);
  const self = p.selfHosted.option;
  const xMax = Math.max(2 * volume, ...finite.map((x) => 1.25 * x), 1);
  const xs = Array.from({ length: points }, (_, i) => (xMax * (i + 1)) / points);
  const sample = (o: typeof self) =>
    xs.map((x) => {
      const s = volume > 0 ? x / volume : 0;
      return s > o.maxScale ? null : toUsd(o.at(s).total);
    });
  const series: Series[] = [
    { id: self.id, label: self.label, kind: self.kind, ys: sample(self) },
    ...[...p.apis, ...p.managed].map((o) => ({
      id: o.option.id,
      label: o.option.label,
      kind: o.option.kind,
      ys: sample(o.option),
    })),
  ];
  const breakEvens = p.breakEven
    // A break-even at zero volume is no crossing (one option is cheaper at every volume): not plotted.
    .filter((b) => b.scale !== null && b.scale > 0 && b.monthlyOutputTokens !== null)
    .map((b) => ({ against: b.against, x: b.monthlyOutputTokens!, y: toUsd(self.at(b.scale!).total) }));
  return { xs, series, breakEvens, stackVolume: volume };
}
