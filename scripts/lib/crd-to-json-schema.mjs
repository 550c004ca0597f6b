/**
 * Converts a CRD version's openAPIV3Schema into a JSON schema (draft-07, for
 * ajv) as the API server applies it: types, enums, bounds, patterns,
 * `required`, and `additionalProperties: false` wherever the CRD lists
 * properties (kubectl apply's default strict field validation rejects unknown
 * fields). `x-kubernetes-int-or-string` becomes integer-or-string. CEL rules
 * (`x-kubernetes-validations`) go through `translate(rule)`, which returns a
 * JSON schema fragment or undefined; the translated fragment carries the
 * rule's message as `$comment` of its `then` (or of itself) so findings quote
 * the API server's words. Untranslated rules are collected in `skipped`.
 */
import { parse } from 'yaml';

export function crdConverter(translate) {
  const skipped = [];
  function convert(node, where) {
    if (!node || typeof node !== 'object') return {};
    const out = {};
    if (node['x-kubernetes-int-or-string']) {
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    } else if (node.type) {
      out.type = node.nullable ? [node.type, 'null'] : node.type;
    }
    for (const key of ['enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required']) {
      if (node[key] !== undefined) out[key] = node[key];
    }
    if (node.properties) {
      out.properties = {};
      for (const [name, child] of Object.entries(node.properties)) out.properties[name] = convert(child, `${where}.${name}`);
      if (!node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
    } else if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      out.additionalProperties = convert(node.additionalProperties, `${where}.*`);
    }
    if (node.items) out.items = convert(node.items, `${where}[]`);
    for (const key of ['oneOf', 'anyOf', 'allOf']) {
      if (Array.isArray(node[key])) {
        // Structural schemas use these only for value validation; keep them (types are on the parent).
        const list = node[key].map((n, i) => convert(n, `${where}/${key}${i}`));
        if (out[key]) out.allOf = [...(out.allOf ?? []), { [key]: list }];
        else out[key] = list;
      }
    }
    const translated = [];
    for (const r of node['x-kubernetes-validations'] ?? []) {
      const schema = translate(r.rule.replace(/\s+/g, ' ').trim());
      if (!schema) {
        skipped.push(`${where}: ${r.rule.replace(/\s+/g, ' ')} (${r.message})`);
        continue;
      }
      translated.push(schema.then ? { ...schema, then: { ...schema.then, $comment: r.message } } : { ...schema, $comment: r.message });
    }
    if (translated.length) out.allOf = [...(out.allOf ?? []), ...translated];
    return out;
  }
  return { convert, skipped };
}

/**
 * The JSON schema of a CRD's storage version (YAML text), converted with
 * `convert`; `metadata` is left to the API server's ObjectMeta rules.
 */
export function storageVersionSchema(crdText, convert, kind) {
  const crd = parse(crdText);
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const schema = convert(version.schema.openAPIV3Schema, kind);
  schema.properties.metadata = { type: 'object' };
  return { crd, version, schema };
}
