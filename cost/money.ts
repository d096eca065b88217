/**
 * Money without float drift: amounts are integer micro-dollars (1e-6 USD) held in a `number`.
 * Integers are exact in a double up to 2^53 µ$ (≈ $9 billion), far above any monthly bill here,
 * so sums of line items never drift; rounding happens once per line item and again only for display.
 */
export type Micros = number & { readonly __brand: "micros" };

const MICROS_PER_USD = 1_000_000;

/** A catalog or config price in dollars (up to 6 decimals are kept exactly) as micro-dollars. */
export function usd(dollars: number): Micros {
  return Math.round(dollars * MICROS_PER_USD) as Micros;
}

/** `rate` (µ$ per unit) × `quantity` units, rounded to the nearest micro-dollar. */
export function times(rate: Micros, quantity: number): Micros {
  return Math.round(rate * quantity) as Micros;
}

export function sum(amounts: readonly Micros[]): Micros {
  let total = 0;
  for (const a of amounts) total += a;
  return total as Micros;
}

export function toUsd(amount: Micros): number {
  return amount / MICROS_PER_USD;
}

/** Dollars rounded to cents, for reports: 5022.4 → 5022.4 (the JSON keeps a number, never a string). */
export function toCents(amount: Micros): number {
  return Math.round(amount / 10_000) / 100;
}

/** "$5,022.40" — always two decimals, thousands separated. */
export function formatUsd(amount: Micros): string {
  const cents = Math.round(amount / 10_000);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}$${whole}.${(abs % 100).toString().padStart(2, "0")}`;
}
