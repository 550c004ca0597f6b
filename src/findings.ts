/** Finding types shared by the engine and every reporter (the SPEC §6 contract). */

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_ORDER: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export interface Location {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** False when the field is missing and the location is that of its nearest existing parent. */
  exact: boolean;
}

/**
 * A safe autofix, expressed on the object's own field paths so that the fix
 * module can apply it to the YAML document without guessing.
 */
export interface Fix {
  description: string;
  edits: FixEdit[];
}

export type FixEdit =
  | { op: 'set'; path: Array<string | number>; value: unknown }
  | { op: 'delete'; path: Array<string | number> };

/** What the load balancer's logs show for a symptom finding: the failed requests (or probes) behind it. */
export interface Observed {
  count: number;
  /** ISO timestamps of the first and last. */
  first: string;
  last: string;
  /** Count by `jsonPayload.statusDetails` (or by probe result for health-check findings). */
  statusDetails: Record<string, number>;
  /** Backend services (or NEGs) they were logged for. */
  backends: string[];
  /** Count by HTTP status, when requests. */
  statuses?: Record<string, number>;
}

/** One command of a remediation, as data: what to run and what it does. */
export interface FixStep {
  command: string;
  /** What running it changes, in a few words ("allow 35.191.0.0/16 ahead of rule 1000 of policy org-baseline"). */
  explains: string;
}

export interface Suppression {
  kind: 'annotation' | 'config' | 'baseline';
  justification: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  object: ObjectRef | null;
  /** Dotted field path, e.g. `spec.template.spec.containers[0].lifecycle`. */
  path: string;
  location: Location | null;
  fingerprint: string;
  fix: Fix | null;
  /**
   * The remediation's commands, one step each (when it has commands to run). The message still names
   * them in a closing "Fix: …" sentence; the human reports show them as separate blocks instead.
   */
  fixSteps?: FixStep[];
  /** Extra facts for reporters (e.g. the gcloud command to run, the pod an endpoint maps to). */
  evidence?: Record<string, unknown>;
  suppressed?: Suppression;
  /** The cluster it was found in, when several were scanned: the kube context, or projects/P/locations/L/clusters/C. */
  cluster?: string;
  /** Fingerprints of the findings that explain this one (correlation); empty for roots and unrelated findings. */
  causedBy?: string[];
  /** Symptom findings: what the request and health-check logs show. */
  observed?: Observed;
}

/** A root cause with everything it explains, transitively (src/correlate/). */
export interface Incident {
  id: string;
  title: string;
  /** Fingerprint of the root finding: explained by nothing present, explains at least one other. */
  root: string;
  /** Fingerprints of the root and every finding it explains, transitively; the root first. */
  members: string[];
  /** The cluster, when several were scanned. */
  cluster?: string;
}

export interface NotEvaluated {
  ruleId: string;
  reason: string;
  /** The cluster, when several were scanned. */
  cluster?: string;
}

export function pathToString(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER[severity] >= SEVERITY_ORDER[threshold];
}
