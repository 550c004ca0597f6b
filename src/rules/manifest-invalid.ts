import { asArray, asRecord, isRecord } from '../util/values.js';
import { nameOf, namespaceOf, workloadOf } from '../model/workloads.js';
import { gatewayApiRelease } from '../analysis/gateway-api-schema.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import { type Path, type RawFinding } from '../model/rule-contract.js';

type Check = (value: unknown) => string | undefined;

const count: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : `must be a non-negative integer, not ${show(v)}`);
const portNumber: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : `must be a port number 1-65535, not ${show(v)}`);
const intOrPercent: Check = (v) =>
  (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+%$/.test(v.trim()))
    ? undefined
    : `must be a non-negative integer or a percentage like "25%", not ${show(v)}`;
/** A Service targetPort: a port number, or an IANA service name (≤ 15 chars, lowercase, at least one letter). */
const targetPort: Check = (v) =>
  typeof v === 'number'
    ? portNumber(v)
    : typeof v === 'string' && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v) && v.length <= 15 && /[a-z]/.test(v)
      ? undefined
      : `must be a port number or a port name (lowercase letters, digits and "-", at most 15 characters), not ${show(v)}`;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return String(value);
}

export default defineRule({
  meta: {
    id: 'manifest-invalid',
    title: 'Field negdoctor reads has a value Kubernetes rejects',
    severity: 'error',
    category: 'input',
    symptom: 'kubectl apply fails with a validation error, or a value is silently not what the author meant.',
    cause: 'A field holds a value of the wrong type or out of range (for example `replicas: "two"`, a negative grace period, a port given as a float, an annotation value that is not a string).',
    evidence:
      'The types and ranges the Kubernetes API enforces for the fields the other rules read: replicas, rollout strategy, grace periods, container and Service ports, annotation values. Rules skip a field with an invalid value rather than guess. Gateway API manifests (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant) are validated against the standard-channel CRDs of kubernetes-sigs/gateway-api vendored in schemas/gateway-api/ (types, required fields, enums, patterns, bounds, unknown fields, and the CEL rules JSON schema can express; the others are listed in SOURCE.json there); the Gateway rules do not judge an object the API server would reject. Objects read from a cluster are not validated (the cluster accepted them).',
    remediation: 'Write the value with the type the API expects: integers unquoted, percentages quoted ("25%"), annotation values as strings (quote JSON: `\'{"ingress": true}\'`).',
    needs: [],
    defaults: {},
  },
  check(ctx) {
    for (const obj of ctx.snapshot.objects) {
      for (const finding of checkObject(obj)) ctx.report(finding);
    }
    for (const [obj, problems] of ctx.model.gateway.rejected) {
      const label = `${obj.object.kind} ${obj.object.metadata.namespace ? `${namespaceOf(obj)}/` : ''}${nameOf(obj)}`;
      for (const problem of problems) {
        ctx.report({ object: obj, path: problem.path, message: `${label} is rejected by the API server: ${problem.message}.`, evidence: { schema: `gateway-api ${gatewayApiRelease()}` } });
      }
    }
  },
});

function checkObject(obj: SnapshotObject): RawFinding[] {
  const out: RawFinding[] = [];
  const check = (path: Path, value: unknown, rule: Check, what?: string) => {
    if (value === undefined || value === null) return;
    const problem = rule(value);
    if (problem) out.push({ object: obj, path, message: `${what ?? path.join('.')} ${problem}.` });
  };
  const annotations = obj.object.metadata.annotations;
  if (annotations !== undefined && annotations !== null) {
    if (!isRecord(annotations)) out.push({ object: obj, path: ['metadata', 'annotations'], message: 'metadata.annotations must be a mapping of strings.' });
    else {
      for (const [key, value] of Object.entries(annotations)) {
        if (typeof value !== 'string') {
          out.push({
            object: obj,
            path: ['metadata', 'annotations', key],
            message: `Annotation ${key} must be a string, not ${show(value)}${isRecord(value) || Array.isArray(value) ? ' (quote the JSON)' : ''}.`,
          });
        }
      }
    }
  }
  const spec = asRecord(obj.object.spec);
  const workload = workloadOf(obj);
  if (workload && spec) {
    check(['spec', 'replicas'], spec.replicas, count, 'replicas');
    check(['spec', 'minReadySeconds'], spec.minReadySeconds, count, 'minReadySeconds');
    const rolling = asRecord(asRecord(spec.strategy ?? spec.updateStrategy)?.rollingUpdate);
    const strategyKey = spec.strategy !== undefined ? 'strategy' : 'updateStrategy';
    for (const field of ['maxUnavailable', 'maxSurge']) {
      check(['spec', strategyKey, 'rollingUpdate', field], rolling?.[field], intOrPercent, field);
    }
    const pod = workload.podSpec;
    check([...workload.podSpecPath, 'terminationGracePeriodSeconds'], pod.terminationGracePeriodSeconds, count, 'terminationGracePeriodSeconds');
    if (pod.containers !== undefined && !Array.isArray(pod.containers)) {
      out.push({ object: obj, path: [...workload.podSpecPath, 'containers'], message: 'containers must be a list.' });
    }
    asArray(pod.containers).forEach((container, c) => {
      const containerPath = [...workload.podSpecPath, 'containers', c];
      if (!isRecord(container)) {
        out.push({ object: obj, path: containerPath, message: `containers[${c}] must be a mapping, not ${show(container)}.` });
        return;
      }
      asArray(container.ports).forEach((port, p) => {
        if (isRecord(port)) check([...containerPath, 'ports', p, 'containerPort'], port.containerPort, portNumber, 'containerPort');
      });
      const sleep = asRecord(asRecord(asRecord(container.lifecycle)?.preStop)?.sleep);
      if (sleep) check([...containerPath, 'lifecycle', 'preStop', 'sleep', 'seconds'], sleep.seconds, count, 'preStop sleep seconds');
    });
  }
  if (obj.object.kind === 'Service' && spec) {
    asArray(spec.ports).forEach((port, i) => {
      if (!isRecord(port)) return;
      if (port.port === undefined) out.push({ object: obj, path: ['spec', 'ports', i], message: `Service port ${i} has no port number.` });
      check(['spec', 'ports', i, 'port'], port.port, portNumber, 'port');
      check(['spec', 'ports', i, 'targetPort'], port.targetPort, targetPort, 'targetPort');
    });
  }
  return out;
}
