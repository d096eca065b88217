/**
 * The one rule for "open to the internet", below everything that asks (config's `allowOpenIngress`
 * check, the load balancer's scheme, the egress line item, the policy pack): address arithmetic, never
 * string prefixes. How much of the public internet a set of CIDR ranges admits (pure). A rule is open when its ranges,
 * taken together, cover at least a /8 worth of public IPv4 addresses (16.7 million), or an IPv6
 * prefix of /16 or shorter: 0.0.0.0/1 + 128.0.0.0/1 is as open as 0.0.0.0/0; an office's /28 is not.
 */

/** Private, shared, loopback, link-local, multicast and reserved IPv4 space: not the public internet. */
const NOT_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/3",
];
export const OPEN_PUBLIC_ADDRESSES = 2 ** 24;

type Interval = [number, number];

/** `a.b.c.d/n` with octets ≤ 255 and n ≤ 32. */
export function isIpv4Cidr(cidr: string): boolean {
  return ipv4Interval(cidr) !== undefined;
}

function ipv4Interval(cidr: string): Interval | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ip / size) * size;
  return [start, start + size - 1];
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** NOT_PUBLIC as merged intervals. */
const PRIVATE_SPACE = merge(NOT_PUBLIC.map((c) => ipv4Interval(c)!));

const size = (xs: Interval[]) => xs.reduce((n, [s, e]) => n + (e - s + 1), 0);

/** Public IPv4 addresses the ranges admit together. */
export function publicIpv4Addresses(cidrs: readonly string[]): number {
  const admitted = merge(cidrs.map(ipv4Interval).filter((x): x is Interval => x !== undefined));
  const privateSpace = PRIVATE_SPACE;
  let overlap = 0;
  for (const [s, e] of admitted)
    for (const [ps, pe] of privateSpace) {
      const lo = Math.max(s, ps);
      const hi = Math.min(e, pe);
      if (lo <= hi) overlap += hi - lo + 1;
    }
  return size(admitted) - overlap;
}

/** An IPv6 range that reaches the internet at large: a prefix of /16 or shorter. */
export function wideIpv6(cidr: string): boolean {
  const m = /^[0-9a-fA-F:]+\/(\d{1,3})$/.exec(cidr.trim());
  return m !== null && Number(m[1]) <= 16;
}

/** `addr/n` as an interval of 128-bit addresses, or undefined when it is not an IPv6 CIDR. */
function ipv6Interval(cidr: string): [bigint, bigint] | undefined {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m || Number(m[2]) > 128) return undefined;
  const [head, tail, extra] = m[1]!.split("::");
  if (extra !== undefined) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...t];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const ip = all.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
  const size = 1n << BigInt(128 - Number(m[2]));
  const start = (ip / size) * size;
  return [start, start + size - 1n];
}

/** Global unicast (2000::/3): the public IPv6 internet. */
const GLOBAL_UNICAST: [bigint, bigint] = [0x2n << 124n, (0x4n << 124n) - 1n];

/**
 * The IPv6 ranges, taken together, reach the internet at large: they cover at least a /16 worth of
 * global unicast space (two /17s are one /16), or one range is that wide.
 */
export function wideIpv6Together(cidrs: readonly string[]): boolean {
  if (cidrs.some(wideIpv6)) return true;
  const xs = cidrs
    .map(ipv6Interval)
    .filter((x): x is [bigint, bigint] => x !== undefined)
    .map(([s, e]): [bigint, bigint] => [
      s > GLOBAL_UNICAST[0] ? s : GLOBAL_UNICAST[0],
      e < GLOBAL_UNICAST[1] ? e : GLOBAL_UNICAST[1],
    ])
    .filter(([s, e]) => s <= e)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let total = 0n;
  let cur: [bigint, bigint] | undefined;
  for (const [s, e] of xs) {
    if (cur && s <= cur[1] + 1n) cur[1] = e > cur[1] ? e : cur[1];
    else {
      if (cur) total += cur[1] - cur[0] + 1n;
      cur = [s, e];
    }
  }
  if (cur) total += cur[1] - cur[0] + 1n;
  return total >= 1n << 112n;
}

export function admitsPublicInternet(ipv4: readonly string[], ipv6: readonly string[] = []): boolean {
  return publicIpv4Addresses(ipv4) >= OPEN_PUBLIC_ADDRESSES || wideIpv6Together(ipv6);
}

/** Every address the ranges admit is private (or otherwise not the public internet): none reaches it. */
export function allPrivate(ipv4: readonly string[]): boolean {
  return ipv4.every(isIpv4Cidr) && publicIpv4Addresses(ipv4) === 0;
}
