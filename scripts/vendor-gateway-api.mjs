#!/usr/bin/env node
/**
 * Vendors from kubernetes-sigs/gateway-api, at a pinned release tag:
 *
 *   - the standard-channel CRDs of the kinds negdoctor validates, converted to
 *     JSON schemas in schemas/gateway-api/ (see scripts/lib/crd-to-json-schema.mjs;
 *     the CEL rules below are translated, the others listed in SOURCE.json);
 *   - the conformance suite's manifests the conformance test reads
 *     (conformance/base/manifests.yaml and the tests' own YAML), copied
 *     unchanged to test/conformance/gateway-api/.
 *
 * Usage: node scripts/vendor-gateway-api.mjs GIT_DIR [TAG]
 * GIT_DIR is a clone (or bare mirror) of the repository; files are read with
 * `git show TAG:path`, nothing is fetched.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crdConverter, storageVersionSchema } from './lib/crd-to-json-schema.mjs';
import { gitSource } from './lib/git-source.mjs';

const { git, rev: tag, commit } = gitSource('node scripts/vendor-gateway-api.mjs GIT_DIR [TAG]', 'v1.6.1');
const ROOT = path.resolve(import.meta.dirname, '..');
const SCHEMAS = path.join(ROOT, 'schemas/gateway-api');
const CONFORMANCE = path.join(ROOT, 'test/conformance/gateway-api');
const CRDS = {
  GatewayClass: 'config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml',
  Gateway: 'config/crd/standard/gateway.networking.k8s.io_gateways.yaml',
  HTTPRoute: 'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
  GRPCRoute: 'config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml',
  ReferenceGrant: 'config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml',
};
/**
 * The conformance tests whose manifests test/conformance/gateway-api.test.ts reads (HTTPRoute, GRPCRoute and
 * listener tests that GKE supports; the skipped ones are listed with their reasons in that test).
 */
const CONFORMANCE_TESTS = [
  'httproute-invalid-nonexistent-backendref',
  'httproute-invalid-backendref-unknown-kind',
  'httproute-invalid-cross-namespace-backend-ref',
  'httproute-invalid-cross-namespace-parent-ref',
  'httproute-invalid-parentref-not-matching-listener-port',
  'httproute-invalid-parentref-not-matching-section-name',
  'httproute-invalid-parentref-section-name-not-matching-port',
  'httproute-invalid-reference-grant',
  'httproute-partially-invalid-via-invalid-reference-grant',
  'httproute-reference-grant',
  'httproute-disallowed-kind',
  'httproute-hostname-intersection',
  'httproute-cross-namespace',
  'httproute-simple-same-namespace',
  'httproute-request-mirror',
  'httproute-request-multiple-mirrors',
  'httproute-request-percentage-mirror',
  'httproute-listener-hostname-matching',
  'httproute-listener-port-matching',
  'httproute-matching',
  'httproute-matching-across-routes',
  'httproute-exact-path-matching',
  'httproute-header-matching',
  'httproute-query-param-matching',
  'httproute-method-matching',
  'httproute-path-match-order',
  'httproute-weight',
  'httproute-rewrite-path',
  'httproute-rewrite-host',
  'httproute-redirect-path',
  'httproute-redirect-host-and-status',
  'httproute-redirect-port',
  'httproute-redirect-scheme',
  'httproute-redirect-port-and-scheme',
  'httproute-request-header-modifier',
  'httproute-response-header-modifier',
  'httproute-multiple-gateways',
  'httproute-named-rule',
  'httproute-service-types',
  'httproute-timeout-request',
  'httproute-timeout-backend-request',
  'httproute-https-listener',
  'httproute-omitted-backendrefs',
  'grpcroute-exact-method-matching',
  'grpcroute-header-matching',
  'grpcroute-listener-hostname-matching',
  'grpcroute-weight',
  'grpcroute-named-rule',
  'gateway-invalid-route-kind',
  'gateway-invalid-listeners-unsupported-protocol',
  'gateway-invalid-tls-configuration',
  'gateway-secret-invalid-reference-grant',
  'gateway-secret-missing-reference-grant',
  'gateway-secret-reference-grant-all-in-namespace',
  'gateway-secret-reference-grant-specific',
  'gateway-http-listener-isolation',
  'gateway-with-attached-routes',
];
const CONFORMANCE_FILES = ['conformance/base/manifests.yaml', ...CONFORMANCE_TESTS.map((t) => `conformance/tests/${t}.yaml`)];

const q = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const typeIs = (field, value) => ({ properties: { [field]: { const: value } }, required: [field] });
/** `self.value` string predicates as JSON schema. */
function stringTest(expr) {
  let m;
  if ((m = /^(!?)self\.value\.startsWith\('([^']*)'\)$/.exec(expr))) return wrap(m[1], { pattern: `^${q(m[2])}` });
  if ((m = /^(!?)self\.value\.endsWith\('([^']*)'\)$/.exec(expr))) return wrap(m[1], { pattern: `${q(m[2])}$` });
  if ((m = /^(!?)self\.value\.contains\('([^']*)'\)$/.exec(expr))) return wrap(m[1], { pattern: q(m[2]) });
  if ((m = /^(!?)self\.value\.matches\(r"""(.*)"""\)$/.exec(expr)) && !m[2].startsWith('(?i)')) return wrap(m[1], { pattern: m[2] });
  return undefined;
}
const wrap = (negated, schema) => (negated ? { not: schema } : schema);

/** The CEL rules of these CRDs that JSON schema can say exactly (defaults applied: an absent field matches its default's branch). */
function translate(rule) {
  let m;
  // filter.X must be nil if the filter.type is not T / must be specified for T
  if ((m = /^!\(has\(self\.(\w+)\) && self\.type != '(\w+)'\)$/.exec(rule))) return { if: { required: [m[1]] }, then: typeIs('type', m[2]) };
  if ((m = /^!\(!has\(self\.(\w+)\) && self\.type == '(\w+)'\)$/.exec(rule))) return { if: typeIs('type', m[2]), then: { required: [m[1]] } };
  if ((m = /^self\.type == '(\w+)' \? has\(self\.(\w+)\) : true$/.exec(rule))) return { if: typeIs('type', m[1]), then: { required: [m[2]] } };
  if ((m = /^has\(self\.(\w+)\) \? self\.type == '(\w+)' : true$/.exec(rule))) return { if: { required: [m[1]] }, then: typeIs('type', m[2]) };
  if ((m = /^!\(has\(self\.(\w+)\) && has\(self\.(\w+)\)\)$/.exec(rule))) return { not: { required: [m[1], m[2]] } };
  // backendRef: Must have port for Service reference (group "" and kind Service are the defaults)
  if (rule === "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true") {
    return { if: { properties: { group: { const: '' }, kind: { const: 'Service' } } }, then: { required: ['port'] } };
  }
  // path match value checks for Exact/PathPrefix (PathPrefix is the default type)
  if ((m = /^\(self\.type in \['Exact','PathPrefix'\]\) \? (.+) : true$/.exec(rule))) {
    const test = stringTest(m[1]);
    if (test) return { if: { properties: { type: { enum: ['Exact', 'PathPrefix'] } } }, then: { properties: { value: test } } };
  }
  if ((m = /^self\.type == 'Hostname' \? \(!has\(self\.value\) \|\| (self\.value\.matches\(r""".*"""\))\): true$/.exec(rule))) {
    return { if: typeIs('type', 'Hostname'), then: { properties: { value: stringTest(m[1]) } } };
  }
  // listeners
  if ((m = /^self\.all\(l, l\.protocol in \[([^\]]+)\] \? !has\(l\.tls\) : true\)$/.exec(rule))) {
    return { items: { if: { properties: { protocol: { enum: list(m[1]) } }, required: ['protocol'] }, then: { not: { required: ['tls'] } } } };
  }
  if (rule === "self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)") {
    return { items: { if: { ...typeIs('protocol', 'HTTPS'), required: ['protocol', 'tls'] }, then: { properties: { tls: { properties: { mode: { enum: ['', 'Terminate'] } } } } } } };
  }
  if (rule === "self.all(l, (l.protocol == 'TLS' ? has(l.tls) && has(l.tls.mode) && l.tls.mode != '' : true))") {
    return { items: { if: typeIs('protocol', 'TLS'), then: { required: ['tls'], properties: { tls: { required: ['mode'], properties: { mode: { minLength: 1 } } } } } } };
  }
  if ((m = /^self\.all\(l, l\.protocol in \[([^\]]+)\] \? \(!has\(l\.hostname\) \|\| l\.hostname == ''\) : true\)$/.exec(rule))) {
    return { items: { if: { properties: { protocol: { enum: list(m[1]) } }, required: ['protocol'] }, then: { properties: { hostname: { const: '' } } } } };
  }
  if (rule === "self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true") {
    return {
      if: { properties: { mode: { const: 'Terminate' } } },
      then: { anyOf: [{ required: ['certificateRefs'], properties: { certificateRefs: { minItems: 1 } } }, { required: ['options'], properties: { options: { minProperties: 1 } } }] },
    };
  }
  if (rule === "(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true") {
    return { if: { required: ['backendRefs'], properties: { backendRefs: { minItems: 1 } } }, then: { properties: { filters: { not: { contains: { required: ['requestRedirect'] } } } } } };
  }
  if ((m = /^!\(self\.exists\(f, f\.type == '(\w+)'\) && self\.exists\(f, f\.type == '(\w+)'\)\)$/.exec(rule))) {
    return { not: { allOf: [{ contains: typeIs('type', m[1]) }, { contains: typeIs('type', m[2]) }] } };
  }
  if (rule === "!('*' in self && self.size() > 1)") return { not: { contains: { const: '*' }, minItems: 2 } };
  // Uniqueness by key: the `x-unique-by` keyword negdoctor's validator defines (src/analysis/crd-schema.ts).
  if (rule === 'self.all(l1, self.exists_one(l2, l1.name == l2.name))') return { 'x-unique-by': ['name'] };
  if (rule === 'self.all(t1, self.exists_one(t2, t1.port == t2.port))') return { 'x-unique-by': ['port'] };
  if ((m = /^self\.filter\(f, f\.type == '(\w+)'\)\.size\(\) <= 1$/.exec(rule))) return { 'x-unique-by': ['type'], 'x-unique-only': m[1] };
  return undefined;
}
const list = (text) => text.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));

const { convert, skipped } = crdConverter(translate);

mkdirSync(SCHEMAS, { recursive: true });
const files = {};
for (const [kind, file] of Object.entries(CRDS)) {
  const { crd, version, schema } = storageVersionSchema(git('show', `${commit}:${file}`), convert, kind);
  // status is the controller's, never applied.
  schema.properties.status = { type: 'object' };
  const served = crd.spec.versions.filter((v) => v.served).map((v) => `${crd.spec.group}/${v.name}`);
  const out = { $comment: `Derived from ${file} (${crd.spec.group}/${version.name}) of kubernetes-sigs/gateway-api ${tag} (${commit}). Apache-2.0.`, ...schema };
  const name = `${kind.toLowerCase()}.json`;
  writeFileSync(path.join(SCHEMAS, name), `${JSON.stringify(out)}\n`);
  files[kind] = { schema: name, crd: file, served };
}
writeFileSync(
  path.join(SCHEMAS, 'SOURCE.json'),
  `${JSON.stringify({ repository: 'https://github.com/kubernetes-sigs/gateway-api', tag, commit, channel: 'standard', license: 'Apache-2.0', files, celRulesNotTranslated: skipped }, null, 2)}\n`,
);
console.log(`wrote ${Object.keys(files).length} schemas from ${tag} (${commit}); ${skipped.length} CEL rules not translated`);

{
  rmSync(CONFORMANCE, { recursive: true, force: true });
  for (const file of CONFORMANCE_FILES) {
    const target = path.join(CONFORMANCE, file.replace(/^conformance\//, ''));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, git('show', `${commit}:${file}`));
  }
  writeFileSync(
    path.join(CONFORMANCE, 'SOURCE.json'),
    `${JSON.stringify({ repository: 'https://github.com/kubernetes-sigs/gateway-api', tag, commit, license: 'Apache-2.0', files: CONFORMANCE_FILES }, null, 2)}\n`,
  );
  console.log(`copied ${CONFORMANCE_FILES.length} conformance files`);
}
