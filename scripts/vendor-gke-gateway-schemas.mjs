#!/usr/bin/env node
/**
 * Derives the JSON schemas in schemas/gke-gateway/ from the CRDs Google
 * publishes in GoogleCloudPlatform/gke-gateway-api (config/crd/). Usage:
 *
 *   node scripts/vendor-gke-gateway-schemas.mjs GIT_DIR [COMMIT]
 *
 * GIT_DIR is a clone (or bare mirror) of that repository. The script reads
 * each CRD at COMMIT (default HEAD) with `git show`, converts the served
 * version's openAPIV3Schema into a JSON schema as the API server applies it
 * (unknown fields rejected, the simple CEL rules turned into if/then), and
 * writes one file per kind plus the commit into schemas/gke-gateway/SOURCE.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { crdConverter, storageVersionSchema } from './lib/crd-to-json-schema.mjs';
import { gitSource } from './lib/git-source.mjs';

const { git, commit } = gitSource('node scripts/vendor-gke-gateway-schemas.mjs GIT_DIR [COMMIT]', 'HEAD');
const OUT = path.resolve(import.meta.dirname, '../schemas/gke-gateway');
const CRDS = {
  HealthCheckPolicy: 'config/crd/networking.gke.io_healthcheckpolicies.yaml',
  GCPBackendPolicy: 'config/crd/networking.gke.io_gcpbackendpolicies.yaml',
  GCPGatewayPolicy: 'config/crd/networking.gke.io_gcpgatewaypolicies.yaml',
};

/** CEL rules the API server enforces that JSON schema can say: `self.A == 'V' ? <presence of fields> : true`. */
function celToSchema(text) {
  const m = /^self\.(\w+) == '([^']*)' \? (.+) : true$/.exec(text);
  if (!m) return undefined;
  const [, field, value, body] = m;
  const required = [];
  const forbidden = [];
  for (const part of body.split('&&').map((p) => p.trim())) {
    const has = /^(!?)has\(self\.(\w+)\)$/.exec(part);
    if (!has) return undefined;
    (has[1] ? forbidden : required).push(has[2]);
  }
  return {
    if: { properties: { [field]: { const: value } }, required: [field] },
    then: { ...(required.length ? { required } : {}), ...(forbidden.length ? { not: { anyOf: forbidden.map((f) => ({ required: [f] })) } } : {}) },
  };
}

const { convert, skipped } = crdConverter(celToSchema);

mkdirSync(OUT, { recursive: true });
const files = {};
for (const [kind, file] of Object.entries(CRDS)) {
  const { crd, version, schema } = storageVersionSchema(git('show', `${commit}:${file}`), convert, kind);
  const lastChange = git('log', '-1', '--format=%H %cs', commit, '--', file).trim();
  const out = { $comment: `Derived from ${file} (${crd.spec.group}/${version.name}) of GoogleCloudPlatform/gke-gateway-api at ${commit}; last changed ${lastChange}. Apache-2.0.`, ...schema };
  const name = `${kind.toLowerCase()}.json`;
  writeFileSync(path.join(OUT, name), `${JSON.stringify(out, null, 1)}\n`);
  files[kind] = { schema: name, crd: file, apiVersion: `${crd.spec.group}/${version.name}`, lastChange };
}
writeFileSync(path.join(OUT, 'SOURCE.json'), `${JSON.stringify({ repository: 'https://github.com/GoogleCloudPlatform/gke-gateway-api', commit, license: 'Apache-2.0', files, celRulesNotTranslated: skipped }, null, 2)}\n`);
console.log(`wrote ${Object.keys(files).length} schemas from ${commit}; ${skipped.length} CEL rules not translated`);
for (const s of skipped) console.log(`  not translated: ${s}`);
