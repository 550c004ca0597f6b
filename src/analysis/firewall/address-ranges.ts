/**
 * Source and destination ranges as sets of address intervals (bigint, per IP
 * family), so that a range covered piecewise by several firewall rules can be
 * intersected, subtracted and turned back into CIDRs exactly.
 */
import type ipaddr from 'ipaddr.js';
import { ipaddrLib } from '../../util/lazy.js';

export type Family = 'ipv4' | 'ipv6';

/** Inclusive [start, end] address intervals of one family, sorted and disjoint. */
export interface IntervalSet {
  family: Family;
  spans: Array<[bigint, bigint]>;
}

const FAMILY_BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigintToAddress(value: bigint, family: Family): string {
  const byteCount = FAMILY_BITS[family] / 8;
  const bytes: number[] = new Array<number>(byteCount);
  let rest = value;
  for (let i = byteCount - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  const address = ipaddrLib().fromByteArray(bytes);
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

interface ParsedCidr {
  family: Family;
  start: bigint;
  end: bigint;
}

/**
 * Parsed ranges by text. The same few rule ranges are evaluated for every
 * (Service × port × node target × health-check range) query of a scan, and
 * parsing through ipaddr.js dominated the evaluation; entries are immutable.
 * Bounded so a long-lived caller cannot grow it without limit.
 */
const CACHE_LIMIT = 10_000;
const cidrCache = new Map<string, ParsedCidr | undefined>();
const setCache = new Map<string, IntervalSet>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address; host bits are masked off. Results are shared: never mutate them. */
export function parseCidr(text: string): ParsedCidr | undefined {
  if (cidrCache.has(text)) return cidrCache.get(text);
  return remember(cidrCache, text, parseCidrUncached(text));
}

function parseCidrUncached(text: string): ParsedCidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  // ipaddr.js also accepts legacy IPv4 forms ("10.1", "0x0a.1"); the Compute API never returns them.
  if (!ipaddrLib().IPv6.isValid(addressText) && !ipaddrLib().IPv4.isValidFourPartDecimal(addressText)) return undefined;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    if (slash >= 0) {
      const prefixText = trimmed.slice(slash + 1);
      if (!/^\d{1,3}$/.test(prefixText)) return undefined;
      [address, prefix] = ipaddrLib().parseCIDR(trimmed);
    } else {
      address = ipaddrLib().parse(trimmed);
      prefix = address.kind() === 'ipv4' ? 32 : 128;
    }
  } catch {
    return undefined;
  }
  const family: Family = address.kind();
  const bits = FAMILY_BITS[family];
  const hostBits = BigInt(bits - prefix);
  const value = bytesToBigint(address.toByteArray());
  const start = (value >> hostBits) << hostBits;
  return { family, start, end: start + (1n << hostBits) - 1n };
}

/** True when `text` is a CIDR range or address the firewall evaluator can evaluate. */
export function isValidCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

function normalise(family: Family, spans: Array<[bigint, bigint]>): IntervalSet {
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[bigint, bigint]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return { family, spans: merged };
}

/** The addresses of `ranges` that belong to `family`; unparsable entries are skipped. The set is shared: never mutate it. */
export function rangesToSet(ranges: readonly string[], family: Family): IntervalSet {
  const key = family + JSON.stringify(ranges);
  return setCache.get(key) ?? remember(setCache, key, rangesToSetUncached(ranges, family));
}

function rangesToSetUncached(ranges: readonly string[], family: Family): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  for (const range of ranges) {
    const parsed = parseCidr(range);
    if (parsed && parsed.family === family) spans.push([parsed.start, parsed.end]);
  }
  return normalise(family, spans);
}

export function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  let i = 0;
  let j = 0;
  while (i < a.spans.length && j < b.spans.length) {
    const [aStart, aEnd] = a.spans[i]!;
    const [bStart, bEnd] = b.spans[j]!;
    const start = aStart > bStart ? aStart : bStart;
    const end = aEnd < bEnd ? aEnd : bEnd;
    if (start <= end) spans.push([start, end]);
    if (aEnd < bEnd) i++;
    else j++;
  }
  return { family: a.family, spans };
}

export function subtract(a: IntervalSet, b: IntervalSet): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  for (const [aStart, aEnd] of a.spans) {
    let cursor = aStart;
    for (const [bStart, bEnd] of b.spans) {
      if (bEnd < cursor) continue;
      if (bStart > aEnd) break;
      if (bStart > cursor) spans.push([cursor, bStart - 1n]);
      cursor = bEnd + 1n;
      if (cursor > aEnd) break;
    }
    if (cursor <= aEnd) spans.push([cursor, aEnd]);
  }
  return { family: a.family, spans };
}

export function isEmpty(set: IntervalSet): boolean {
  return set.spans.length === 0;
}

/** The fewest CIDR blocks that exactly cover the set. */
export function toCidrs(set: IntervalSet): string[] {
  const bits = FAMILY_BITS[set.family];
  const cidrs: string[] = [];
  for (const [spanStart, spanEnd] of set.spans) {
    let start = spanStart;
    while (start <= spanEnd) {
      // Largest block aligned at `start` that stays inside the span.
      let hostBits = 0;
      while (hostBits < bits) {
        const size = 1n << BigInt(hostBits + 1);
        if (start % size !== 0n || start + size - 1n > spanEnd) break;
        hostBits++;
      }
      cidrs.push(`${bigintToAddress(start, set.family)}/${bits - hostBits}`);
      start += 1n << BigInt(hostBits);
    }
  }
  return cidrs;
}
