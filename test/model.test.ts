import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../src/model/settings.js';
import { Model } from '../src/model/index.js';
import { resolveIntOrPercent, rolloutPlan, workloadOf } from '../src/model/workloads.js';
import type { KubeObject, Snapshot, SnapshotObject } from '../src/snapshot/types.js';

function snapshot(objects: Array<{ object: KubeObject; file?: string }>): Snapshot {
  return {
    apiVersion: 'negdoctor.dev/v1',
    kind: 'Snapshot',
    collectedAt: '2026-01-01T00:00:00Z',
    source: 'manifests',
    tool: { name: 'negdoctor', version: 'test' },
    objects: objects.map((o, id): SnapshotObject => ({
      id,
      object: o.object,
      ...(o.file ? { source: { file: o.file, documentIndex: 0, path: [], line: 1, column: 1 } } : {}),
    })),
    data: {},
    errors: [],
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  };
}

const deployment = (name: string, labels: Record<string, string>, containers: unknown[]): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
});
const service = (name: string, selector: Record<string, string>, targetPort: number | string, neg = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, ...(neg ? { annotations: { 'cloud.google.com/neg': '{"ingress": true}' } } : {}) },
  spec: { selector, ports: [{ name: 'http', port: 80, targetPort }] },
});

describe('model', () => {
  it('resolves Service references and selections within their own input set', () => {
    const model = new Model(
      snapshot([
        { object: service('frontend', { app: 'frontend' }, 8080), file: 'sample-a/svc.yaml' },
        { object: deployment('frontend', { app: 'frontend' }, [{ name: 'a', ports: [{ containerPort: 8080 }] }]), file: 'sample-a/deploy.yaml' },
        { object: deployment('frontend', { app: 'frontend' }, [{ name: 'b', ports: [{ containerPort: 8080 }] }]), file: 'sample-b/deploy.yaml' },
        { object: service('frontend', { app: 'frontend' }, 8080, false), file: 'sample-b/svc.yaml' },
      ]),
      defaultSettings(),
    );
    const negService = model.negServices[0]!.service;
    expect(negService.obj.source?.file).toBe('sample-a/svc.yaml');
    expect(model.workloadsSelectedBy(negService).map((w) => w.obj.source?.file)).toEqual(['sample-a/deploy.yaml']);
    expect(model.negBacked.map((e) => e.workload.obj.source?.file)).toEqual(['sample-a/deploy.yaml']);
  });

  it('keeps every candidate for live objects, which have no file', () => {
    const model = new Model(
      snapshot([
        { object: service('web', { app: 'web' }, 'http') },
        { object: deployment('web-stable', { app: 'web' }, [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }]) },
        { object: deployment('web-canary', { app: 'web' }, [{ name: 'app', ports: [{ name: 'http', containerPort: 9090 }] }]) },
      ]),
      defaultSettings(),
    );
    expect(model.negBacked.map((e) => [e.workload.name, e.servingContainers[0]!.portNumber])).toEqual([
      ['web-stable', 8080],
      ['web-canary', 9090],
    ]);
  });

  it('finds the serving container by named or numeric targetPort, and the only container for an undeclared number', () => {
    const two = [
      { name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }] },
      { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] },
    ];
    const byName = new Model(snapshot([{ object: service('s', { a: 'b' }, 'http') }, { object: deployment('d', { a: 'b' }, two) }]), defaultSettings());
    expect(byName.negBacked[0]!.servingContainers.map((s) => s.container.name)).toEqual(['app']);
    const undeclared = new Model(snapshot([{ object: service('s', { a: 'b' }, 3000) }, { object: deployment('d', { a: 'b' }, [{ name: 'only' }]) }]), defaultSettings());
    expect(undeclared.negBacked[0]!.servingContainers[0]).toMatchObject({ portNumber: 3000, container: { name: 'only' } });
  });

  it('gives Ingress backends NEGs by default only from GKE 1.17, and never for "ingress": false or nginx', () => {
    const ingress = (cls?: string): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', ...(cls ? { annotations: { 'kubernetes.io/ingress.class': cls } } : {}) },
      spec: { defaultBackend: { service: { name: 's', port: { number: 80 } } } },
    });
    const objects = (cls?: string) => snapshot([{ object: service('s', { a: 'b' }, 8080, false) }, { object: ingress(cls) }]);
    expect(new Model(objects(), defaultSettings()).negServices).toHaveLength(1);
    expect(new Model(objects(), { ...defaultSettings(), gkeVersion: '1.16.15-gke.4300' }).negServices).toHaveLength(0);
    expect(new Model(objects('nginx'), defaultSettings()).negServices).toHaveLength(0);
  });
});

describe('rollout arithmetic', () => {
  it('rounds maxUnavailable down and maxSurge up, as the Deployment controller does', () => {
    expect(resolveIntOrPercent('25%', 2, false)).toBe(0);
    expect(resolveIntOrPercent('25%', 2, true)).toBe(1);
    expect(resolveIntOrPercent('33%', 10, false)).toBe(3);
    expect(resolveIntOrPercent('33%', 10, true)).toBe(4);
    expect(resolveIntOrPercent('bogus', 10, true)).toBeUndefined();
  });

  it('lets one pod go when both resolve to zero, and takes replicas from the HPA', () => {
    const d = deployment('d', { a: 'b' }, [{ name: 'c' }]);
    (d.spec as Record<string, unknown>).strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } };
    const workload = workloadOf({ id: 0, object: d })!;
    expect(rolloutPlan(workload)).toMatchObject({ replicas: 1, maxUnavailable: 1, maxSurge: 0 });
    expect(rolloutPlan(workload, 20)).toMatchObject({ replicas: 20, replicasSource: 'hpa', maxUnavailable: 2 });
  });
});
