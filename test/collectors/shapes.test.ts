/**
 * The shape table (src/collectors/shapes.ts): every shape is recognised from
 * the fields a person typically pastes, and from nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { INPUT_TYPES, parseTypedInput, SHAPES, SHAPES_BY_ID, shapesOf } from '../../src/collectors/shapes.js';
import { recognize, unknownNotice } from '../../src/collectors/recognize.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

/** The trimmed fixture of each shape (fixtures/shapes/<type>.trimmed.json): no kind, apiVersion, selfLink or network. */
const SHAPE_FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/shapes');
const TRIMMED: Record<string, Record<string, unknown>> = Object.fromEntries(
  readdirSync(SHAPE_FIXTURES)
    .filter((f) => f.endsWith('.trimmed.json'))
    .map((f) => [f.replace('.trimmed.json', '').replace('.', ':'), JSON.parse(readFileSync(path.join(SHAPE_FIXTURES, f), 'utf8')) as Record<string, unknown>]),
);

describe('shape table', () => {
  it('has a trimmed sample for every shape, and each sample fits its shape and no other', () => {
    // Kind-only shapes (no field tests: ServiceImport, ServiceExport) are read by their kind alone, so they have no sample.
    const byFields = SHAPES.filter((s) => s.all?.length || s.any?.length);
    expect(Object.keys(TRIMMED).sort()).toEqual(byFields.map((s) => s.id).sort());
    for (const shape of SHAPES.filter((s) => !byFields.includes(s))) expect([shape.domain, Boolean(shape.kind && shape.apiVersion)], shape.id).toEqual(['kube', true]);
    for (const [id, sample] of Object.entries(TRIMMED)) {
      expect(shapesOf(sample).map((s) => s.id), id).toEqual([id]);
    }
  });

  it('every shape names an explicit input type that exists', () => {
    const names = new Set(INPUT_TYPES.map((t) => t.name));
    for (const shape of SHAPES) expect(names, shape.id).toContain(shape.inputType);
    for (const type of INPUT_TYPES) expect(SHAPES_BY_ID.has(type.shape), type.name).toBe(true);
  });

  it('fills kind and apiVersion for Kubernetes shapes only', () => {
    for (const shape of SHAPES) {
      if (shape.domain === 'kube') expect([shape.kind, shape.apiVersion].every(Boolean), shape.id).toBe(true);
      else expect(shape.kind, shape.id).toBeUndefined();
    }
  });

  it('tells an Event from a Pod, a Deployment from a StatefulSet, an Ingress from an HTTPRoute', () => {
    expect(shapesOf({ involvedObject: { kind: 'Pod' }, reason: 'Killing' }).map((s) => s.id)).toEqual(['k8s:Event']);
    expect(shapesOf({ spec: { containers: [] }, status: {} }).map((s) => s.id)).toEqual(['k8s:Pod']);
    expect(shapesOf({ spec: { serviceName: 'db', template, updateStrategy: {} } }).map((s) => s.id)).toEqual(['k8s:StatefulSet']);
    expect(shapesOf({ spec: { parentRefs: [{}], hostnames: ['a'], rules: [{}] } }).map((s) => s.id)).toEqual(['k8s:HTTPRoute']);
  });

  it('does not take anything for a resource: config files, scalars, Helm values', () => {
    for (const value of [{ just: 'config' }, { replicaCount: 2, image: { repository: 'nginx' } }, 'text', 42, null, { name: 'x' }]) {
      expect(shapesOf(value), JSON.stringify(value)).toEqual([]);
    }
  });
});

describe('recognize', () => {
  const ids = (document: unknown, explicit?: Parameters<typeof recognize>[1]) =>
    recognize(document, explicit).map((r) => (r.kube ? `kube:${(r.value as { kind: string }).kind}` : (r.shape?.id ?? 'unknown')));

  it('reads objects with apiVersion/kind as they are, and kind-only objects by their kind', () => {
    expect(recognize({ apiVersion: 'v1', kind: 'Pod', metadata: {} })).toMatchObject([{ kube: true, shape: { id: 'k8s:Pod' }, by: 'kind', path: [] }]);
    expect(recognize({ kind: 'Service', spec: {} })).toMatchObject([{ shape: { id: 'k8s:Service' }, by: 'kind' }]);
    expect(recognize({ kind: 'compute#firewall', name: 'x' })).toMatchObject([{ shape: { id: 'gcp:firewall' }, by: 'kind' }]);
  });

  it('unwraps gcloud arrays, REST lists, aggregated lists, {clusters}, kind: List and typed lists', () => {
    const fw = TRIMMED['gcp:firewall']!;
    const neg = TRIMMED['gcp:neg']!;
    expect(ids([fw, fw])).toEqual(['gcp:firewall', 'gcp:firewall']);
    expect(ids({ kind: 'compute#firewallList', items: [fw], selfLink: 'x' })).toEqual(['gcp:firewall']);
    expect(ids({ items: [fw, TRIMMED['k8s:Pod']] })).toEqual(['gcp:firewall', 'k8s:Pod']);
    const aggregated = { kind: 'compute#networkEndpointGroupAggregatedList', items: { 'zones/us-central1-a': { networkEndpointGroups: [neg] }, 'zones/us-central1-b': { warning: { code: 'NO_RESULTS_ON_PAGE' } } } };
    expect(recognize(aggregated)).toMatchObject([{ shape: { id: 'gcp:neg' }, path: ['items', 'zones/us-central1-a', 'networkEndpointGroups', 0] }]);
    expect(ids({ clusters: [TRIMMED['gcp:cluster'], { name: 'bare' }], missingZones: [] })).toEqual(['gcp:cluster', 'gcp:cluster']);
    expect(ids({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: {} }, TRIMMED['k8s:Event']] })).toEqual(['kube:Service', 'k8s:Event']);
    // A PodList's items carry no kind: the list says what they are, even when trimmed past recognition.
    expect(recognize({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a' } }] })).toMatchObject([{ shape: { id: 'k8s:Pod' }, by: 'wrapper', path: ['items', 0] }]);
    // The list key names the type of a bare `{name}` item; the item's own fields would not.
    expect(recognize({ items: { 'regions/us-central1': { backendServices: [{ name: 'bs' }] } } })).toMatchObject([{ shape: { id: 'gcp:backend-service' }, by: 'wrapper' }]);
  });

  it('keeps effective firewalls whole (firewalls plus policies), and reads a bare {firewalls: […]} as one (a network without policies)', () => {
    expect(ids(TRIMMED['gcp:effective-firewalls'])).toEqual(['gcp:effective-firewalls']);
    // A REST list answer is `items`; `{"firewalls": […]}` alone is what get-effective-firewalls prints when no policy applies.
    expect(ids({ firewalls: [TRIMMED['gcp:firewall']] })).toEqual(['gcp:effective-firewalls']);
  });

  it('marks what fits no shape, or several, with the candidates for the notice', () => {
    const bare = { metadata: { name: 'web' }, spec: { replicas: 2, selector: {}, template } };
    const [item] = recognize(bare);
    expect(item!.shape).toBeUndefined();
    expect(item!.candidates!.map((c) => c.id)).toEqual(['k8s:Deployment', 'k8s:StatefulSet', 'k8s:ReplicaSet', 'k8s:Job']);
    expect(unknownNotice(item!)).toMatch(/could be a Deployment, a StatefulSet, a ReplicaSet or a Job; skipped — state its type with `negdoctor lint k8s:deployments=FILE` \(or k8s:statefulsets, k8s:replicasets, k8s:jobs\), or add apiVersion and kind/);
    const [config] = recognize({ just: 'config' });
    expect(config!.candidates).toEqual([]);
    expect(unknownNotice(config!)).toMatch(/neither a Kubernetes object .* state its type: `negdoctor lint TYPE=FILE`/);
  });

  it('takes every object of an explicitly typed file as that type, unwrapping lists; an empty list is no objects', () => {
    const explicit = parseTypedInput('k8s:deployments=x.yaml')!.explicit;
    expect(recognize({ metadata: { name: 'web' }, spec: { replicas: 2, selector: {}, template } }, explicit)).toMatchObject([{ shape: { id: 'k8s:Deployment' }, by: 'explicit' }]);
    const firewalls = parseTypedInput('gcp:firewalls:default=fw.json')!.explicit;
    expect(recognize([{ name: 'trimmed-to-nothing' }], firewalls)).toMatchObject([{ shape: { id: 'gcp:firewall' }, by: 'explicit' }]);
    expect(recognize({ kind: 'compute#firewallList', items: [] }, firewalls)).toMatchObject([{ emptyOf: { id: 'gcp:firewall' } }]);
    expect(recognize([], firewalls)).toEqual([]);
    const effective = parseTypedInput('gcp:effective-firewalls=e.json')!.explicit;
    expect(ids(TRIMMED['gcp:effective-firewalls'], effective)).toEqual(['gcp:effective-firewalls']);
  });
});

describe('parseTypedInput', () => {
  it('parses TYPE[:QUALIFIER]=PATH and leaves plain paths alone', () => {
    expect(parseTypedInput('gcp:firewalls:default=dumps/fw.json')).toMatchObject({ explicit: { type: { name: 'gcp:firewalls' }, qualifier: 'default' }, path: 'dumps/fw.json' });
    expect(parseTypedInput('gcp:neg-endpoints:us-central1-a/k8s1-x=e.json')).toMatchObject({ explicit: { qualifier: 'us-central1-a/k8s1-x' }, path: 'e.json' });
    expect(parseTypedInput('k8s:pods=-')).toMatchObject({ explicit: { type: { shape: 'k8s:Pod' } }, path: '-' });
    expect(parseTypedInput('manifests/app.yaml')).toBeUndefined();
    expect(parseTypedInput('a=b.yaml')).toBeUndefined();
  });

  it('rejects unknown types and qualifiers a type does not take', () => {
    expect(() => parseTypedInput('gcp:firewall=x.json')).toThrow(/unknown input type gcp:firewall .*known types: gcp:firewalls/);
    expect(() => parseTypedInput('gcp:network:default=x.json')).toThrow(/takes no qualifier/);
  });
});

describe('shape fixtures through the manifest collector', () => {
  const files = readdirSync(SHAPE_FIXTURES).filter((f) => f.endsWith('.json'));

  it('every trimmed fixture lacks kind, apiVersion, selfLink and network', () => {
    for (const [id, value] of Object.entries(TRIMMED)) {
      for (const key of ['kind', 'apiVersion', 'selfLink', 'network']) expect(Object.keys(value), `${id} ${key}`).not.toContain(key);
    }
  });

  it.each(files)('%s is read as its type, and nothing is skipped', async (file) => {
    const id = file.replace(/\.(trimmed|full)\.json$/, '').replace('.', ':');
    const shape = SHAPES_BY_ID.get(id)!;
    const collection = await collectManifests([file], { cwd: SHAPE_FIXTURES });
    expect(collection.unrecognized, JSON.stringify(collection.notices)).toBe(0);
    if (shape.domain === 'kube') {
      expect(collection.objects.map((o) => o.object.kind)).toEqual([shape.kind]);
      expect(collection.notices.map((n) => n.message)).toEqual([`read without apiVersion/kind: 1 ${shape.kind} (by its fields)`]);
    } else if (id === 'gcp:lb-request-log' || id === 'gcp:health-check-log' || id === 'gcp:log-entry') {
      // Log entries are reduced as they are read (collectors/logs/entries.ts), not handed on as foreign documents.
      expect(collection.foreign).toEqual([]);
      const logs = collection.logs;
      expect([logs.requests.length, logs.probes.length, [...logs.skipped.values()].reduce((a, b) => a + b, 0)]).toEqual(
        id === 'gcp:lb-request-log' ? [1, 0, 0] : id === 'gcp:health-check-log' ? [0, 1, 0] : [0, 0, 1],
      );
    } else {
      expect(collection.objects).toEqual([]);
      expect(collection.foreign.map((f) => f.shape)).toEqual([id]);
    }
  });
});
