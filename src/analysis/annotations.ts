/**
 * Parsing and validation of the GKE annotations that wire a Service to the
 * load balancer, and the Ingress-class decision.
 *
 * Shapes follow kubernetes/ingress-gce (pkg/negannotation/negannotation.go,
 * pkg/annotations/service.go, pkg/backendconfig/utils.go, pkg/utils/utils.go).
 * The controller decodes with Go's encoding/json, which silently drops unknown
 * keys (and matches key names case-insensitively), so a typo such as
 * `"exposed-ports"` turns NEGs off without any error. The schemas here are
 * deliberately stricter and report unknown keys, because a linter should catch
 * what the controller ignores.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

export const NEG_ANNOTATION = 'cloud.google.com/neg';
export const NEG_STATUS_ANNOTATION = 'cloud.google.com/neg-status';
export const BACKEND_CONFIG_ANNOTATION = 'cloud.google.com/backend-config';
export const BETA_BACKEND_CONFIG_ANNOTATION = 'beta.cloud.google.com/backend-config';
export const APP_PROTOCOLS_ANNOTATION = 'cloud.google.com/app-protocols';
/** Older key; the controller reads it first when both are set. */
export const LEGACY_APP_PROTOCOLS_ANNOTATION = 'service.alpha.kubernetes.io/app-protocols';
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const INGRESS_GCE_CONTROLLER = 'k8s.io/ingress-gce';

export type AppProtocol = 'HTTP' | 'HTTPS' | 'HTTP2';
export const APP_PROTOCOLS: readonly AppProtocol[] = ['HTTP', 'HTTPS', 'HTTP2'];

export interface NegAnnotation {
  ingress?: boolean;
  /** Keys are Service port numbers as strings. */
  exposed_ports?: Record<string, { name?: string }>;
  zones?: string[];
}

export interface NegStatusAnnotation {
  /** Service port number (as a string) → NEG name. */
  network_endpoint_groups?: Record<string, string>;
  zones?: string[];
}

export interface BackendConfigAnnotation {
  default?: string;
  /** Service port name or number (as a string) → BackendConfig name. */
  ports?: Record<string, string>;
}

/** Service port name → protocol (GKE looks ports up by name only). */
export type AppProtocolsAnnotation = Record<string, AppProtocol>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------------------
// Schemas

const PORT_NUMBER_PATTERN =
  '^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
/** A Compute Engine resource name (RFC 1035 label): custom NEG names must fit it. */
const GCE_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$';

const negSchema = {
  type: 'object',
  properties: {
    ingress: { type: 'boolean' },
    exposed_ports: {
      type: 'object',
      propertyNames: { pattern: PORT_NUMBER_PATTERN },
      additionalProperties: {
        type: 'object',
        properties: { name: { type: 'string', pattern: GCE_NAME_PATTERN } },
        additionalProperties: false,
      },
    },
    zones: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
  additionalProperties: false,
};

// Written by the NEG controller, not by users: extra keys are tolerated so a
// newer controller's status does not fail a scan.
const negStatusSchema = {
  type: 'object',
  properties: {
    network_endpoint_groups: {
      type: 'object',
      propertyNames: { pattern: PORT_NUMBER_PATTERN },
      additionalProperties: { type: 'string' },
    },
    zones: { type: 'array', items: { type: 'string' } },
  },
};

const backendConfigSchema = {
  type: 'object',
  properties: {
    default: { type: 'string', minLength: 1 },
    ports: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
  },
  additionalProperties: false,
};

const appProtocolsSchema = {
  type: 'object',
  additionalProperties: { enum: [...APP_PROTOCOLS] },
};

const SCHEMAS = {
  neg: negSchema,
  negStatus: negStatusSchema,
  backendConfig: backendConfigSchema,
  appProtocols: appProtocolsSchema,
};

interface Validators {
  neg: ValidateFunction<NegAnnotation>;
  negStatus: ValidateFunction<NegStatusAnnotation>;
  backendConfig: ValidateFunction<BackendConfigAnnotation>;
  appProtocols: ValidateFunction<AppProtocolsAnnotation>;
}

type AjvInstance = InstanceType<(typeof import('ajv'))['Ajv']>;
let ajv: AjvInstance | undefined;
const validators: Partial<Validators> = {};

/**
 * Each schema is compiled on its first use and then reused: compiling is the
 * expensive part (tens of ms each), and a lint of a few files must not pay
 * for annotations it never meets. ajv itself (~50 files) is required only
 * then: most annotations pass the exact checks below without it.
 */
function getValidator<K extends keyof Validators>(name: K): Validators[K] {
  const cached = validators[name];
  if (cached) return cached as Validators[K];
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajv = new Ajv({ allErrors: true, validateSchema: false });
  }
  const validate = ajv.compile(SCHEMAS[name]) as Validators[K];
  validators[name] = validate;
  return validate;
}

// Exact hand-written checks of the common, valid shapes. Each returns true
// only for values its schema accepts; anything else (including every invalid
// value) goes to ajv, which decides and words the errors. So the result never
// depends on which path ran.
const PORT_NUMBER_RE = new RegExp(PORT_NUMBER_PATTERN, 'u');
const GCE_NAME_RE = new RegExp(GCE_NAME_PATTERN, 'u');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) return false;
  return true;
}

const FAST_CHECKS: { [K in keyof Validators]: (value: unknown) => boolean } = {
  neg: (v) => {
    if (!isObject(v) || !onlyKeys(v, ['ingress', 'exposed_ports', 'zones'])) return false;
    if (v.ingress !== undefined && typeof v.ingress !== 'boolean') return false;
    if (v.exposed_ports !== undefined) {
      if (!isObject(v.exposed_ports)) return false;
      for (const [port, entry] of Object.entries(v.exposed_ports)) {
        if (!PORT_NUMBER_RE.test(port) || !isObject(entry) || !onlyKeys(entry, ['name'])) return false;
        if (entry.name !== undefined && (typeof entry.name !== 'string' || !GCE_NAME_RE.test(entry.name))) return false;
      }
    }
    if (v.zones !== undefined && !(Array.isArray(v.zones) && v.zones.every((z) => typeof z === 'string' && z.length > 0))) return false;
    return true;
  },
  negStatus: (v) => {
    if (!isObject(v)) return false;
    const groups = v.network_endpoint_groups;
    if (groups !== undefined) {
      if (!isObject(groups)) return false;
      for (const [port, neg] of Object.entries(groups)) if (!PORT_NUMBER_RE.test(port) || typeof neg !== 'string') return false;
    }
    if (v.zones !== undefined && !(Array.isArray(v.zones) && v.zones.every((z) => typeof z === 'string'))) return false;
    return true;
  },
  backendConfig: (v) => {
    if (!isObject(v) || !onlyKeys(v, ['default', 'ports'])) return false;
    if (v.default !== undefined && !(typeof v.default === 'string' && v.default.length > 0)) return false;
    if (v.ports !== undefined) {
      if (!isObject(v.ports)) return false;
      for (const name of Object.values(v.ports)) if (typeof name !== 'string' || name.length === 0) return false;
    }
    return true;
  },
  appProtocols: (v) => isObject(v) && Object.values(v).every((p) => typeof p === 'string' && (APP_PROTOCOLS as readonly string[]).includes(p)),
};

/** A ValidateFunction-shaped check: the exact fast path, else ajv (whose `errors` the caller reads). */
function validatorFor<K extends keyof Validators>(name: K): (value: unknown) => { valid: boolean; errors?: ErrorObject[] | null } {
  return (value) => {
    if (FAST_CHECKS[name](value)) return { valid: true };
    const validate = getValidator(name);
    const valid = validate(value);
    return { valid, errors: validate.errors };
  };
}

const CHECKS: { [K in keyof Validators]: ReturnType<typeof validatorFor> } = {
  neg: validatorFor('neg'),
  negStatus: validatorFor('negStatus'),
  backendConfig: validatorFor('backendConfig'),
  appProtocols: validatorFor('appProtocols'),
};

// ---------------------------------------------------------------------------
// Error messages

const KNOWN_KEYS: Record<string, readonly string[]> = {
  [NEG_ANNOTATION]: ['ingress', 'exposed_ports', 'zones'],
  [BACKEND_CONFIG_ANNOTATION]: ['default', 'ports'],
  [BETA_BACKEND_CONFIG_ANNOTATION]: ['default', 'ports'],
};

/** A known key the unknown one is probably a typo of: case, `-` for `_`, or a missing/extra plural `s`. */
function nearKey(key: string, known: readonly string[]): string | undefined {
  const normalized = key.toLowerCase().replace(/-/g, '_');
  return known.find((k) => k === normalized || k === `${normalized}s` || `${k}s` === normalized);
}

function describeAjvError(error: ErrorObject, annotation: string): string | undefined {
  const at = error.instancePath === '' ? '(top level)' : error.instancePath;
  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // the inner error carries the offending name
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty?: unknown }).additionalProperty);
      const known = error.instancePath === '' ? KNOWN_KEYS[annotation] : undefined;
      const near = known ? nearKey(key, known) : undefined;
      const allowed = known ? ` (allowed: ${known.join(', ')})` : '';
      return `${at} must NOT have additional property "${key}"${near ? `; did you mean "${near}"?` : allowed}`;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      return `${at} must be one of ${allowed.map(String).join(', ')}`;
    }
    case 'pattern': {
      if (error.propertyName !== undefined) {
        return `${at} key "${error.propertyName}" must be a Service port number (1-65535)`;
      }
      if (error.schemaPath.includes('/name/')) {
        return `${at} must be a valid NEG name (lowercase letters, digits and hyphens, starting with a letter, at most 63 characters)`;
      }
      return `${at} ${error.message ?? 'is invalid'}`;
    }
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

function describeErrors(errors: ErrorObject[] | null | undefined, annotation: string): string {
  const parts = (errors ?? [])
    .map((error) => describeAjvError(error, annotation))
    .filter((part): part is string => part !== undefined);
  return [...new Set(parts)].join('; ');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** Hints for the two mistakes people make most when hand-writing JSON in YAML. */
function jsonHint(text: string): string {
  if (/,\s*[}\]]/.test(text)) return ' (JSON allows no trailing comma)';
  if (text.includes("'")) return ' (JSON strings and keys need double quotes, not single quotes)';
  return '';
}

/**
 * Results by annotation key and text: rules ask about the same Service's
 * annotations many times, and manifests repeat the same text across Services.
 * Results are never mutated by callers.
 */
const parsedCache = new Map<string, ParseResult<unknown>>();
const PARSED_CACHE_LIMIT = 10_000;

/** Reads an annotation value as JSON text and validates it. */
type ParsedOf<K extends keyof Validators> = Validators[K] extends ValidateFunction<infer T> ? T : never;

function parseJsonAnnotation<K extends keyof Validators>(annotation: string, value: unknown, check: K): ParseResult<ParsedOf<K>> {
  if (typeof value !== 'string') return parseJsonAnnotationUncached<ParsedOf<K>>(annotation, value, CHECKS[check]);
  const key = `${check}\0${annotation}\0${value}`;
  let result = parsedCache.get(key);
  if (!result) {
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    result = parseJsonAnnotationUncached(annotation, value, CHECKS[check]);
    parsedCache.set(key, result);
  }
  return result as ParseResult<ParsedOf<K>>;
}

function parseJsonAnnotationUncached<T>(annotation: string, value: unknown, validate: ReturnType<typeof validatorFor>): ParseResult<T> {
  if (value === undefined) return { ok: false, error: `Annotation ${annotation} is not set.` };
  if (typeof value !== 'string') {
    const example = typeName(value) === 'a mapping' ? ' Write the JSON as a quoted string.' : ' Quote the value.';
    return {
      ok: false,
      error: `Annotation ${annotation} must be a string holding JSON, but it is ${typeName(value)}.${example}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `Annotation ${annotation} is not valid JSON: ${message}${jsonHint(value)}.` };
  }
  const verdict = validate(parsed);
  if (!verdict.valid) {
    return { ok: false, error: `Annotation ${annotation} is invalid: ${describeErrors(verdict.errors, annotation)}.` };
  }
  return { ok: true, value: parsed as T };
}

// ---------------------------------------------------------------------------
// Parsers

/** `cloud.google.com/neg`: `{"ingress": bool, "exposed_ports": {"<port>": {"name"?}}, "zones"?: [..]}`. */
export function parseNegAnnotation(value: unknown): ParseResult<NegAnnotation> {
  return parseJsonAnnotation(NEG_ANNOTATION, value, 'neg');
}

/** `cloud.google.com/neg-status`: `{"network_endpoint_groups": {"<port>": "<neg>"}, "zones": [..]}`. */
export function parseNegStatusAnnotation(value: unknown): ParseResult<NegStatusAnnotation> {
  return parseJsonAnnotation(NEG_STATUS_ANNOTATION, value, 'negStatus');
}

/**
 * `cloud.google.com/backend-config` (or the beta key): `{"default": name}`
 * and/or `{"ports": {"<port name or number>": name}}`. At least one name is
 * required; the controller rejects an annotation with neither.
 */
export function parseBackendConfigAnnotation(
  value: unknown,
  annotation: string = BACKEND_CONFIG_ANNOTATION,
): ParseResult<BackendConfigAnnotation> {
  const result = parseJsonAnnotation(annotation, value, 'backendConfig');
  if (result.ok && result.value.default === undefined && Object.keys(result.value.ports ?? {}).length === 0) {
    return {
      ok: false,
      error: `Annotation ${annotation} names no BackendConfig: set "default" or a non-empty "ports" map.`,
    };
  }
  return result;
}

/** `cloud.google.com/app-protocols`: `{"<port name>": "HTTP" | "HTTPS" | "HTTP2"}`. */
export function parseAppProtocolsAnnotation(
  value: unknown,
  annotation: string = APP_PROTOCOLS_ANNOTATION,
): ParseResult<AppProtocolsAnnotation> {
  return parseJsonAnnotation(annotation, value, 'appProtocols');
}

function annotationsOf(service: unknown): Record<string, unknown> {
  if (typeof service !== 'object' || service === null) return {};
  const metadata = (service as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return {};
  const annotations = (metadata as { annotations?: unknown }).annotations;
  return typeof annotations === 'object' && annotations !== null && !Array.isArray(annotations)
    ? (annotations as Record<string, unknown>)
    : {};
}

/**
 * The BackendConfig annotation a Service carries, as the controller picks it:
 * the GA key wins when both keys are set. Undefined when neither is set.
 */
export function backendConfigAnnotationOf(
  service: unknown,
): { key: string; result: ParseResult<BackendConfigAnnotation> } | undefined {
  const annotations = annotationsOf(service);
  for (const key of [BACKEND_CONFIG_ANNOTATION, BETA_BACKEND_CONFIG_ANNOTATION]) {
    if (key in annotations) return { key, result: parseBackendConfigAnnotation(annotations[key], key) };
  }
  return undefined;
}

/**
 * The app-protocols annotation a Service carries, as the controller picks it:
 * the legacy `service.alpha.kubernetes.io/app-protocols` key wins when both are set.
 */
export function appProtocolsAnnotationOf(
  service: unknown,
): { key: string; result: ParseResult<AppProtocolsAnnotation> } | undefined {
  const annotations = annotationsOf(service);
  for (const key of [LEGACY_APP_PROTOCOLS_ANNOTATION, APP_PROTOCOLS_ANNOTATION]) {
    if (key in annotations) return { key, result: parseAppProtocolsAnnotation(annotations[key], key) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Lookups

export interface ServicePortRef {
  port: number;
  name?: string;
}

/**
 * The BackendConfig name that applies to a Service port: a `ports` entry keyed
 * by the port's name, then one keyed by its number, then `default`
 * (pkg/backendconfig/utils.go BackendConfigName).
 */
export function backendConfigNameForPort(
  parsed: BackendConfigAnnotation,
  servicePort: ServicePortRef,
): string | undefined {
  const ports = parsed.ports ?? {};
  if (servicePort.name !== undefined && servicePort.name !== '' && Object.hasOwn(ports, servicePort.name)) {
    return ports[servicePort.name];
  }
  const byNumber = String(servicePort.port);
  if (Object.hasOwn(ports, byNumber)) return ports[byNumber];
  return parsed.default !== undefined && parsed.default !== '' ? parsed.default : undefined;
}

/**
 * The protocol the load balancer speaks to a Service port. The controller
 * looks the port up by NAME only (translator.go setAppProtocol), so a key
 * holding the port number is silently ignored and the protocol stays HTTP.
 */
export function appProtocolForPort(parsed: AppProtocolsAnnotation, servicePort: ServicePortRef): AppProtocol {
  const name = servicePort.name;
  if (name !== undefined && name !== '' && Object.hasOwn(parsed, name)) return parsed[name] as AppProtocol;
  return 'HTTP';
}

/**
 * Keys of an app-protocols annotation that the controller will never use,
 * with the reason: a port number instead of the port's name, or no such port.
 */
export function unusedAppProtocolKeys(
  parsed: AppProtocolsAnnotation,
  servicePorts: readonly ServicePortRef[],
): Array<{ key: string; reason: string }> {
  const out: Array<{ key: string; reason: string }> = [];
  for (const key of Object.keys(parsed)) {
    if (servicePorts.some((port) => port.name === key)) continue;
    const byNumber = servicePorts.find((port) => String(port.port) === key);
    if (byNumber) {
      out.push({
        key,
        reason: byNumber.name
          ? `GKE matches app-protocols by port name; use "${byNumber.name}" instead of ${key}`
          : `GKE matches app-protocols by port name, and port ${key} has no name`,
      });
    } else {
      out.push({ key, reason: `the Service has no port named "${key}"` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Ingress class

export type IngressClassVerdict = 'gce' | 'gce-internal' | 'other';

export interface IngressClassDecision {
  class: IngressClassVerdict;
  /** What decided it. */
  decidedBy: 'annotation' | 'ingressClassName' | 'default-ingress-class' | 'none';
  /** The raw class value that was looked at, if any. */
  value?: string;
  /**
   * Why an Ingress that looks meant for GKE is ignored by it, e.g. a
   * `spec.ingressClassName: gce` without the annotation.
   */
  note?: string;
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Decides whether GKE's Ingress controller processes an Ingress, following
 * pkg/utils/utils.go IsGCEIngress and GKE's documented controller summary:
 *
 * - `kubernetes.io/ingress.class` decides when set: `gce` (external) and
 *   `gce-internal` (internal) are GKE's; `gce-regional-external` is GKE's
 *   regional external load balancer and counts as `gce` (NEG-backed, external);
 *   anything else (nginx, `gce-multi-cluster`, which the legacy kubemci tool
 *   owns) is not. `spec.ingressClassName` is ignored when the annotation is set.
 * - Without the annotation, GKE processes the Ingress only when
 *   `spec.ingressClassName` is unset. GKE does not implement IngressClass: an
 *   Ingress with `ingressClassName: gce`, or naming an IngressClass whose
 *   controller is `k8s.io/ingress-gce` (with or without parameters), gets no
 *   load balancer — the decision then says `other` with a note, so a rule can
 *   tell the user to use the annotation.
 * - Without either, an IngressClass marked as the cluster default makes the
 *   API server fill in `ingressClassName` on create, so GKE ignores it too
 *   (only for manifests: a live Ingress, one with a uid or creationTimestamp,
 *   already shows what admission did).
 */
export function describeIngressClass(ingress: unknown, ingressClasses: readonly unknown[] = []): IngressClassDecision {
  const annotations = recordOf(recordOf(recordOf(ingress)['metadata'])['annotations']);
  const annotation = annotations[INGRESS_CLASS_ANNOTATION];
  if (typeof annotation === 'string' && annotation !== '') {
    switch (annotation) {
      case 'gce':
      case 'gce-regional-external':
        return { class: 'gce', decidedBy: 'annotation', value: annotation };
      case 'gce-internal':
        return { class: 'gce-internal', decidedBy: 'annotation', value: annotation };
      default:
        return { class: 'other', decidedBy: 'annotation', value: annotation };
    }
  }

  const className = recordOf(recordOf(ingress)['spec'])['ingressClassName'];
  if (typeof className === 'string' && className !== '') {
    const ingressClass = ingressClasses.find((c) => recordOf(recordOf(c)['metadata'])['name'] === className);
    const controller = recordOf(recordOf(ingressClass)['spec'])['controller'];
    const looksGke = controller === INGRESS_GCE_CONTROLLER || className.startsWith('gce');
    const decision: IngressClassDecision = { class: 'other', decidedBy: 'ingressClassName', value: className };
    if (looksGke) {
      decision.note =
        `GKE ignores spec.ingressClassName ("${className}"${controller === INGRESS_GCE_CONTROLLER ? `, controller ${INGRESS_GCE_CONTROLLER}` : ''}); ` +
        `it only reads the ${INGRESS_CLASS_ANNOTATION} annotation, so this Ingress gets no load balancer. ` +
        `Remove ingressClassName and set ${INGRESS_CLASS_ANNOTATION}: "${className.startsWith('gce-internal') ? 'gce-internal' : 'gce'}".`;
    }
    return decision;
  }

  // Live objects already carry whatever the admission plugin set; only a
  // manifest not yet applied will get the default class filled in.
  const metadata = recordOf(recordOf(ingress)['metadata']);
  const isLive = metadata['uid'] !== undefined || metadata['creationTimestamp'] !== undefined;
  const defaultClass = isLive ? undefined : ingressClasses.find(
    (c) => recordOf(recordOf(recordOf(c)['metadata'])['annotations'])[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true',
  );
  if (defaultClass !== undefined) {
    const name = recordOf(recordOf(defaultClass)['metadata'])['name'];
    const value = typeof name === 'string' ? name : undefined;
    return {
      class: 'other',
      decidedBy: 'default-ingress-class',
      ...(value !== undefined ? { value } : {}),
      note:
        `IngressClass ${value ?? '(unnamed)'} is the cluster default, so the API server sets spec.ingressClassName ` +
        `on this Ingress and GKE ignores it; set ${INGRESS_CLASS_ANNOTATION}: "gce" to have GKE program it.`,
    };
  }
  return { class: 'gce', decidedBy: 'none' };
}

/** `gce`, `gce-internal` or `other` — see describeIngressClass for the rules. */
export function ingressClassOf(ingress: unknown, ingressClasses: readonly unknown[] = []): IngressClassVerdict {
  return describeIngressClass(ingress, ingressClasses).class;
}
