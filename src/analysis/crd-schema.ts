/**
 * Validates objects against JSON schemas derived from CRDs (schemas/*; see
 * scripts/lib/crd-to-json-schema.mjs) and describes the errors the way the
 * API server would: the field path, then what is wrong, quoting a translated
 * CEL rule's own message. ajv and each schema are loaded on first use.
 *
 * `x-unique-by: [key]` (with `x-unique-only: VALUE` to limit it to items whose
 * key has that value) is the one keyword negdoctor adds: list uniqueness by a
 * field, which CEL rules such as `self.all(l1, self.exists_one(l2, l1.name ==
 * l2.name))` enforce and JSON schema cannot say.
 */
import { PACKAGE_ROOT } from '../package-root.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

export interface SchemaProblem {
  /** Field path inside the object, for locating the finding. */
  path: Array<string | number>;
  message: string;
}

type AjvInstance = InstanceType<(typeof import('ajv'))['Ajv']>;
let ajv: AjvInstance | undefined;
const validators = new Map<string, ValidateFunction>();

function instance(): AjvInstance {
  if (!ajv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    // strict off: the CRD's `$comment`s and keyword mixes are fine; formats are not vendored.
    // unicodeRegExp off: CRD patterns are RE2, which escapes more freely than a `u` RegExp allows.
    ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, verbose: true, unicodeRegExp: false });
    ajv.addKeyword({
      keyword: 'x-unique-by',
      type: 'array',
      schemaType: 'array',
      errors: true,
      validate: function uniqueBy(this: unknown, keys: string[], data: unknown[], parentSchema?: Record<string, unknown>) {
        const only = parentSchema?.['x-unique-only'];
        const seen = new Set<string>();
        for (const item of data) {
          if (typeof item !== 'object' || item === null) continue;
          const rec = item as Record<string, unknown>;
          if (only !== undefined && rec[keys[0]!] !== only) continue;
          const key = JSON.stringify(keys.map((k) => rec[k]));
          if (seen.has(key)) {
            (uniqueBy as unknown as { errors: Array<Partial<ErrorObject>> }).errors = [{ keyword: 'x-unique-by', message: 'must be unique', params: { keys } }];
            return false;
          }
          seen.add(key);
        }
        return true;
      },
    });
    ajv.addKeyword({ keyword: 'x-unique-only' });
  }
  return ajv;
}

/** The validator of one schema file (a URL under the package root's schemas/). */
export function crdValidator(file: URL): ValidateFunction {
  const key = file.href;
  let validate = validators.get(key);
  if (!validate) {
    validate = instance().compile(JSON.parse(readFileSync(file, 'utf8')) as object);
    validators.set(key, validate);
  }
  return validate;
}

export function schemaUrl(path: string): URL {
  return new URL(path, PACKAGE_ROOT);
}

/** The schema errors of an object (an empty list when valid). */
export function schemaProblems(validate: ValidateFunction, object: unknown): SchemaProblem[] {
  if (validate(object)) return [];
  return describe(validate.errors ?? [], object, validate.schema);
}

function describe(errors: ErrorObject[], object: unknown, root: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // ajv reports an if/then failure twice (the `then` keyword and the `if` wrapper): keep the specific one.
  // A failing anyOf/oneOf reports every branch and then itself: keep only the summary when it is the parent's.
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    let message: string;
    let at = path;
    const comment = ruleComment(error, root);
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = (error.params as { additionalProperty: string }).additionalProperty;
        at = [...path, key];
        message = `unknown field ${dotted(at)}`;
        break;
      }
      case 'required':
        // A translated rule is about the object that holds the field; a plain `required` about the field.
        at = comment ? path : [...path, (error.params as { missingProperty: string }).missingProperty];
        message = comment ? `${dotted(path)}: ${comment}` : `${dotted(at)} is required`;
        break;
      case 'type':
      case 'enum':
      case 'const':
      case 'pattern':
        if (comment) {
          message = `${dotted(path)} ${show(valueAt(object, path))}: ${comment}`;
          break;
        }
        if (error.keyword === 'const') {
          message = `${dotted(path)} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}, not ${show(valueAt(object, path))}`;
          break;
        }
        if (error.keyword === 'pattern') {
          message = `${dotted(path)} ${show(valueAt(object, path))} must match ${(error.params as { pattern: string }).pattern}`;
          break;
        }
        if (error.keyword === 'enum') {
          message = `${dotted(path)} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}, not ${show(valueAt(object, path))}`;
          break;
        }
        message = `${dotted(path)} must be of type ${[(error.params as { type: string | string[] }).type].flat().join(' or ')}, not ${show(valueAt(object, path))}`;
        break;
      case 'not':
        message = `${dotted(path)}: ${comment ?? 'a field that must be unset is set'}`;
        break;
      default:
        message = comment ? `${dotted(path)}: ${comment}` : `${dotted(path)} ${error.message ?? 'is invalid'}`;
    }
    const k = `${dotted(at)}\0${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path: at, message });
  }
  return out;
}

/**
 * The CRD's message for a translated CEL rule: the `$comment` of the schema
 * fragment the rule became, the innermost one on the failing keyword's path
 * (the root's own `$comment` names the source, not a rule).
 */
function ruleComment(error: ErrorObject, root: unknown): string | undefined {
  let node = root;
  let comment: string | undefined;
  for (const raw of error.schemaPath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    const c = typeof node === 'object' && node !== null ? (node as { $comment?: unknown }).$comment : undefined;
    if (typeof c === 'string') comment = c;
  }
  return comment;
}

function valueAt(object: unknown, path: Array<string | number>): unknown {
  let value = object;
  for (const p of path) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[p] : undefined;
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return String(value);
}

export function dotted(path: Array<string | number>): string {
  if (path.length === 0) return '(the object)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
