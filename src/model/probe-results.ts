/** What a health-check probe's logged result says: an HTTP answer, a timeout, a refused connection. */
import type { ProbeLog } from '../snapshot/types.js';
import type { Model } from './index.js';
import { negNamesById } from './lb-logs.js';

export type ProbeReason = 'http-error-default-path' | 'http-error' | 'timeout' | 'refused' | 'other';

/** The HTTP status a probe got, from `probeResultText` ("HTTP response: 404, Error: Not Found"). */
export function probeHttpStatus(p: ProbeLog): number | undefined {
  const match = /HTTP response:\s*(\d{3})/i.exec(p.probeResultText ?? '');
  return match ? Number(match[1]) : undefined;
}

export function probeReason(p: ProbeLog): ProbeReason {
  const status = probeHttpStatus(p);
  if (status !== undefined) return (p.probeRequest ?? '/') === '/' ? 'http-error-default-path' : 'http-error';
  const text = `${p.probeResultText ?? ''} ${p.probeCompletionResult ?? ''}`.toLowerCase();
  if ((p.detailedHealthState ?? '').toUpperCase() === 'TIMEOUT' || /timeout|timed out|deadline/.test(text)) return 'timeout';
  if (/refused|reset/.test(text)) return 'refused';
  return 'other';
}

/** Whether the probe reached the endpoint and got an HTTP answer: the firewall admitted it. */
export function probeAnswered(p: ProbeLog): boolean {
  return probeHttpStatus(p) !== undefined;
}

/** Endpoints (ip:port) of the named NEGs whose logged probes got an HTTP answer: the firewall let those probes through. */
export function answeredProbeEndpoints(model: Model, negNames: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const ids = negNamesById(model);
  for (const p of model.snapshot.cloud?.probeLogs ?? []) {
    const neg = ids.get(p.negId);
    if (neg && negNames.has(neg.name) && probeAnswered(p) && p.ip) out.add(`${p.ip}:${p.port ?? ''}`);
  }
  return out;
}
