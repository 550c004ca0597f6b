/**
 * The "observed" line of an incident: what the load balancer's logs show for
 * the symptom findings a root cause explains (text and HTML reports).
 */
import type { Finding } from '../findings.js';
import { observedText } from '../model/timeline.js';

/** One line per symptom finding among an incident's members: "observed: 1,284 × 502 (…), 2026-12-01 14:02–14:07 UTC on k8s1-…". */
export function observedLines(members: readonly Finding[]): string[] {
  const out: string[] = [];
  for (const f of members) if (f.observed) out.push(`observed: ${observedText(f.observed)}${f.ruleId ? ` (${f.ruleId})` : ''}`);
  return out;
}
