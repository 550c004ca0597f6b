/**
 * Validates GKE's Gateway policies (HealthCheckPolicy, GCPBackendPolicy,
 * GCPGatewayPolicy) against the schemas vendored in schemas/gke-gateway/
 * (derived from GoogleCloudPlatform/gke-gateway-api's newest CRDs; see the
 * README there). The schema files and ajv are loaded on the first policy met.
 */
import { PACKAGE_ROOT } from '../package-root.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

export const GKE_POLICY_KINDS = ['HealthCheckPolicy', 'GCPBackendPolicy', 'GCPGatewayPolicy'] as const;
export type GkePolicyKind = (typeof GKE_POLICY_KINDS)[number];

export interface SchemaProblem {
  /** Field path inside the object, for locating the finding. */
  path: Array<string | number>;
  message: string;
}

const SCHEMA_DIR = new URL('schemas/gke-gateway/', PACKAGE_ROOT);
type AjvInstance = InstanceType<(typeof import('ajv'))['Ajv']>;
let ajv: AjvInstance | undefined;
const validators = new Map<GkePolicyKind, ValidateFunction>();

function validatorFor(kind: GkePolicyKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    if (!ajv) {
      const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
      // strict off: the CRD's `$comment`s and keyword mixes are fine; formats are not vendored.
      ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, verbose: true });
    }
    const schema = JSON.parse(readFileSync(new URL(`${kind.toLowerCase()}.json`, SCHEMA_DIR), 'utf8')) as object;
    validate = ajv.compile(schema);
    validators.set(kind, validate);
  }
  return validate;
}

/** The schema errors of a policy object, as the API server would reject it (an empty list when valid). */
export function policySchemaProblems(kind: GkePolicyKind, object: unknown): SchemaProblem[] {
  const validate = validatorFor(kind);
  if (validate(object)) return [];
  return describe(validate.errors ?? []);
}

function describe(errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // ajv reports an if/then failure twice (the `then` keyword and the `if` wrapper): keep the specific one.
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    let message: string;
    let at = path;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = (error.params as { additionalProperty: string }).additionalProperty;
        at = [...path, key];
        message = `unknown field ${dotted(at)}`;
        break;
      }
      case 'required':
        at = [...path, (error.params as { missingProperty: string }).missingProperty];
        message = `${dotted(at)} is required`;
        break;
      case 'type':
        message = `${dotted(path)} must be ${(error.params as { type: string | string[] }).type}`;
        break;
      case 'enum':
        message = `${dotted(path)} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'not':
        message = `${dotted(path)}: ${ruleComment(error) ?? 'a field that must be unset is set'}`;
        break;
      default:
        message = `${dotted(path)} ${error.message ?? 'is invalid'}`;
    }
    const comment = error.keyword === 'required' || error.keyword === 'not' ? ruleComment(error) : undefined;
    if (comment && error.keyword === 'required' && error.schemaPath.includes('/then/')) message = `${dotted(path)}: ${comment}`;
    const key = `${dotted(at)}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: at, message });
  }
  return out;
}

/** The CRD's message for a translated CEL rule, kept as the `$comment` of its `then` schema. */
function ruleComment(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { $comment?: string } | undefined;
  if (parent?.$comment) return parent.$comment;
  return undefined;
}

function dotted(path: Array<string | number>): string {
  if (path.length === 0) return '(the object)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
