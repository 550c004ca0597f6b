/**
 * The contract between the engine and a rule: what a rule declares about itself
 * (meta, option schema, cause edges) and what it is given (snapshot, model,
 * settings, options) to report findings. It sits beside the model so config/,
 * the engine, the correlation and the reporters can name it without importing a rule.
 */
import type { Fix, FixStep, Location, Observed, Severity } from '../findings.js';
import type { DataKey } from '../snapshot/data-keys.js';
import type { Snapshot, SnapshotObject } from '../snapshot/types.js';
import type { Model } from './index.js';
import type { Settings } from './settings.js';

export type Category = 'input' | 'termination' | 'wiring' | 'live' | 'cloud' | 'gateway' | 'symptom';

export type Path = Array<string | number>;

/**
 * What two findings must share for one to explain the other (src/correlate/):
 * the same Service port, Service, NEG, backend service, pod, node, workload,
 * Ingress or Gateway, or only the same cluster (a cluster setting).
 */
export type JoinKey = 'service-port' | 'service' | 'neg' | 'backend-service' | 'pod' | 'node' | 'workload' | 'ingress' | 'gateway' | 'listener' | 'cluster';

/** One edge of the cause graph: this rule's finding can explain a finding of `rule` that shares the `on` key. */
export interface Explains {
  rule: string;
  on: JoinKey;
  /** One sentence, shown in the rule docs: why the cause produces the effect. */
  why: string;
  /** Only explained findings about this kind of object (e.g. the Service-level finding of a rule that also reports EndpointSlices). */
  kind?: string;
  /** Only explaining findings about this kind of object (e.g. the HealthCheckPolicy findings of a rule that judges every GKE policy). */
  fromKind?: string;
  /** Only explaining findings whose `evidence.reason` is one of these. */
  reasons?: string[];
  /** Only explained findings whose `evidence.reason` is one of these (e.g. health-check probes that timed out). */
  targetReasons?: string[];
}

/** JSON schema (draft-07 subset) for one rule option. */
export interface OptionSchema {
  type: 'integer' | 'number' | 'string' | 'boolean' | 'array';
  minimum?: number;
  items?: { type: string };
  description: string;
}

export interface RuleMeta<O extends Record<string, unknown>> {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  /** What the user sees when this failure mode bites. */
  symptom: string;
  /** Why it happens, in GKE's terms. */
  cause: string;
  /** What the rule looks at to decide. */
  evidence: string;
  /** What to change. */
  remediation: string;
  /** Data keys the rule needs; missing ones make it "not evaluated". */
  needs: DataKey[];
  /** Whether the rule offers safe autofixes to `negdoctor fix`. */
  fixable?: boolean;
  /** Failure modes this one causes, and the key their findings must share with it (correlation). */
  explains?: Explains[];
  options?: { [K in keyof O]: OptionSchema };
  defaults: O;
}

export interface RawFinding {
  /** The object the finding is about; absent only for input problems. */
  object?: SnapshotObject;
  /** Field path inside the object; the location falls back to the nearest existing parent. */
  path: Path;
  message: string;
  severity?: Severity;
  fix?: Fix;
  /** The commands of the remediation, as data (the message's closing "Fix: …" sentence names them too). */
  fixSteps?: FixStep[];
  /** Other objects whose `negdoctor.dev/ignore` annotation also silences this finding (e.g. the Service). */
  related?: SnapshotObject[];
  evidence?: Record<string, unknown>;
  /** For findings with no object (input problems): where it is. */
  location?: Location;
  /**
   * For findings about a resource outside the snapshot's objects (a Google
   * Cloud firewall rule, NEG or cluster): its stable identity, e.g.
   * `compute/zones/us-central1-a/networkEndpointGroups/NAME`. Used for the
   * fingerprint instead of the message, which carries changing values.
   */
  resource?: string;
  /** Symptom rules: what the load balancer's logs show. */
  observed?: Observed;
}

export interface RuleContext<O> {
  snapshot: Snapshot;
  model: Model;
  options: O;
  settings: Settings;
  /** "Now" as of the data: the snapshot's collectedAt, or --now. */
  now: Date;
  report(finding: RawFinding): void;
  /** The rule cannot decide on this input: reported as not evaluated with the reason. */
  skip(reason: string): void;
}

export interface Rule<O extends Record<string, unknown> = Record<string, unknown>> {
  meta: RuleMeta<O>;
  check(ctx: RuleContext<O>): void;
}
