/**
 * The one reading of an effective-firewalls answer — `gcloud compute networks
 * get-effective-firewalls NET --format=json`, `gcloud compute
 * network-firewall-policies get-effective-firewalls --network NET --region R`,
 * or the REST answers of networks.getEffectiveFirewalls and
 * regionNetworkFirewallPolicies.getEffectiveFirewalls — shared by the live
 * collector, gcloud dumps read by kind and inputs read by shape, so an answer
 * is judged the same whichever way it came in.
 */
import type { GcpFirewall, GcpFirewallPolicy } from '../snapshot/types.js';
import { isRecord } from '../util/values.js';
import { mapFirewall, mapFirewallPolicy } from './gcp/map.js';
import { fits, SHAPES_BY_ID } from './shapes.js';

export interface EffectiveFirewalls {
  /** The VPC firewall rules of the network. */
  firewalls: GcpFirewall[];
  /** The firewall policies in force, each with its rules. */
  policies: GcpFirewallPolicy[];
}

/**
 * The keys of an answer. Policies are listed in `firewallPolicys` (the API's
 * spelling), `firewallPolicies` (how people and other tools write it) or
 * `organizationFirewalls` (the v1beta answer's older list of hierarchical
 * policies, `{id, rules}` each).
 */
const ANSWER_KEYS: ReadonlySet<string> = new Set(['firewalls', 'firewallPolicys', 'firewallPolicies', 'organizationFirewalls']);
const EFFECTIVE_SHAPE = SHAPES_BY_ID.get('gcp:effective-firewalls')!;

/**
 * Whether a JSON object is an effective-firewalls answer: it fits the shape
 * inputs are recognised by (a policy list, no `name` or `spec`), or — since
 * gcloud leaves out empty lists — it is `{firewalls: [...]}` with nothing
 * else beside it. A Kubernetes object never is one.
 */
export function isEffectiveFirewallsAnswer(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || typeof value.apiVersion === 'string') return false;
  if (fits(value, EFFECTIVE_SHAPE)) return true;
  return Array.isArray(value.firewalls) && Object.keys(value).every((key) => ANSWER_KEYS.has(key));
}

/**
 * The firewall rules and policies of an answer (anything else: none). Entries
 * that are not objects are skipped: they name no rule and no policy. An
 * organizationFirewalls entry has only an `id`, which is the name the same
 * hierarchical policy has in `firewallPolicys`: it is known by that name, and
 * one that repeats a listed policy is merged into it rather than counted twice.
 */
export function unpackEffectiveFirewalls(answer: unknown): EffectiveFirewalls {
  const value = isRecord(answer) ? answer : {};
  const firewalls = listOf(value.firewalls).map(mapFirewall);
  const policies = [...listOf(value.firewallPolicys), ...listOf(value.firewallPolicies)].map(mapFirewallPolicy);
  for (const entry of listOf(value.organizationFirewalls)) {
    const policy = mapFirewallPolicy(entry.name === undefined && entry.id !== undefined ? { ...entry, name: String(entry.id) } : entry);
    const listed = policies.findIndex((p) => p.name === policy.name && (p.type === undefined || p.type === 'HIERARCHY'));
    if (listed === -1) policies.push(policy);
    else policies[listed] = { ...policies[listed]!, ...policy };
  }
  return { firewalls, policies };
}

function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
