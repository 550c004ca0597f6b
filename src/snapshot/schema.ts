/**
 * The JSON schema of a snapshot file (`apiVersion: negdoctor.dev/v1`,
 * `kind: Snapshot`), mirroring `types.ts`. Kubernetes objects and Google
 * Cloud resources are checked only as far as the rules rely on them
 * (apiVersion, kind, metadata; names of cloud resources): the API servers own
 * the rest of their shape, and newer fields must not make a snapshot unreadable.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SNAPSHOT_API_VERSION, SNAPSHOT_KIND, type Snapshot } from './types.js';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;
/**
 * A cloud resource: its name, and the types of the fields rules, correlation
 * and reports read (types.ts). A number where a zone or health state belongs
 * is refused here, with its path, before any rule runs.
 */
const named = (properties: Record<string, object> = {}) => ({ type: 'object', required: ['name'], properties: { name: str, selfLink: str, ...properties } });
const cloudList = (item: object) => ({ type: 'array', items: item });
const firewallRules = { type: 'array', items: { type: 'object', required: ['IPProtocol'], properties: { IPProtocol: str, ports: strings } } } as const;

export const SNAPSHOT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://negdoctor.dev/schemas/snapshot-v1.json',
  title: 'negdoctor snapshot',
  type: 'object',
  required: ['apiVersion', 'kind', 'collectedAt', 'source', 'objects', 'data'],
  properties: {
    apiVersion: { const: SNAPSHOT_API_VERSION },
    kind: { const: SNAPSHOT_KIND },
    collectedAt: { type: 'string', minLength: 1 },
    source: { enum: ['manifests', 'live'] },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    cluster: {
      type: 'object',
      properties: {
        context: { type: 'string' },
        server: { type: 'string' },
        serverVersion: { type: 'string' },
        kubeSystemUid: { type: 'string' },
        project: { type: 'string' },
        location: { type: 'string' },
        name: { type: 'string' },
      },
    },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['object'],
        properties: {
          id: { type: 'integer', minimum: 0 },
          object: {
            type: 'object',
            required: ['apiVersion', 'kind', 'metadata'],
            properties: {
              apiVersion: { type: 'string', minLength: 1 },
              kind: { type: 'string', minLength: 1 },
              metadata: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  namespace: { type: 'string' },
                  uid: { type: 'string' },
                  labels: stringMap,
                  annotations: stringMap,
                  ownerReferences: { type: 'array', items: { type: 'object' } },
                },
              },
            },
          },
          source: {
            type: 'object',
            required: ['file', 'documentIndex', 'path', 'line', 'column'],
            properties: {
              file: { type: 'string' },
              documentIndex: { type: 'integer', minimum: 0 },
              path: { type: 'array', items: { type: ['string', 'integer'] } },
              line: { type: 'integer', minimum: 1 },
              column: { type: 'integer', minimum: 1 },
            },
          },
        },
      },
    },
    cloud: {
      type: 'object',
      properties: {
        project: { type: 'string' },
        clusterName: { type: 'string' },
        clusters: cloudList(
          named({
            location: str,
            network: str,
            subnetwork: str,
            currentMasterVersion: str,
            locations: strings,
            status: str,
            clusterUid: str,
            ipAllocationPolicy: { type: 'object', properties: { useIpAliases: bool } },
            addonsConfig: { type: 'object', properties: { httpLoadBalancing: { type: 'object', properties: { disabled: bool } } } },
            nodePools: { type: 'array', items: { type: 'object', properties: { name: str, locations: strings, config: { type: 'object', properties: { tags: strings, serviceAccount: str } } } } },
          }),
        ),
        networks: cloudList(named({ IPv4Range: str, autoCreateSubnetworks: bool })),
        firewalls: cloudList(
          named({
            network: str,
            direction: { enum: ['INGRESS', 'EGRESS'] },
            priority: num,
            disabled: bool,
            sourceRanges: strings,
            sourceTags: strings,
            sourceServiceAccounts: strings,
            targetTags: strings,
            targetServiceAccounts: strings,
            allowed: firewallRules,
            denied: firewallRules,
          }),
        ),
        firewallPolicies: { type: 'array', items: { type: 'object', properties: { name: str, shortName: str, type: str, parent: str, priority: num, region: str, rules: { type: 'array', items: { type: 'object' } } } } },
        nodeVms: cloudList(named({ kind: { enum: ['instance', 'instanceTemplate', 'instanceGroupManager'] }, zone: str, tags: strings, serviceAccounts: strings, cluster: str, pool: str, instanceTemplate: str, baseInstanceName: str })),
        subnetworks: cloudList(named({ network: str, region: str, ipCidrRange: str, purpose: str, role: str })),
        negs: cloudList(
          named({
            zone: str,
            description: str,
            network: str,
            networkEndpointType: str,
            size: num,
            creationTimestamp: str,
            endpoints: { type: 'array', items: { type: 'object', properties: { ipAddress: str, port: int, instance: str } } },
          }),
        ),
        backendServices: cloudList(
          named({
            backends: { type: 'array', items: { type: 'object', required: ['group'], properties: { group: str } } },
            healthChecks: strings,
            connectionDraining: { type: 'object', properties: { drainingTimeoutSec: num } },
            loadBalancingScheme: str,
            region: str,
          }),
        ),
        backendHealth: cloudList({
          type: 'object',
          required: ['backendService', 'group', 'healthStatus'],
          properties: {
            backendService: str,
            group: str,
            healthStatus: { type: 'array', items: { type: 'object', properties: { ipAddress: str, port: int, healthState: str, instance: str, forwardingRule: str } } },
          },
        }),
        requestLogs: cloudList({ type: 'object', required: ['t', 'resourceType'], properties: { t: { type: 'string' }, resourceType: { type: 'string' } } }),
        probeLogs: cloudList({ type: 'object', required: ['t', 'negId'], properties: { t: { type: 'string' }, negId: { type: 'string' } } }),
        logWindow: { type: 'object' },
      },
    },
    data: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['state'],
        properties: { state: { enum: ['collected', 'missing', 'error'] }, reason: { type: 'string' } },
      },
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'data', 'message'],
        properties: {
          source: { enum: ['kube', 'gcp', 'input'] },
          data: { type: 'string' },
          message: { type: 'string' },
          status: { type: 'integer' },
        },
      },
    },
    inputs: {
      type: 'object',
      required: ['files', 'documents', 'nonKubernetes', 'skippedFiles', 'problems', 'notices'],
      properties: {
        files: { type: 'integer', minimum: 0 },
        documents: { type: 'integer', minimum: 0 },
        nonKubernetes: { type: 'integer', minimum: 0 },
        skippedFiles: { type: 'integer', minimum: 0 },
        completeKinds: { type: 'array', items: { type: 'string' } },
        problems: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'file', 'message'],
            properties: {
              kind: { enum: ['syntax', 'unreadable', 'encoding', 'not-an-object', 'resource-limit'] },
              file: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
        notices: {
          type: 'array',
          items: { type: 'object', required: ['file', 'message'], properties: { file: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;

let validator: ValidateFunction<Snapshot> | undefined;

/** The compiled validator, built once. */
export function snapshotValidator(): ValidateFunction<Snapshot> {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile<Snapshot>(SNAPSHOT_SCHEMA);
  return validator;
}

/** Schema problems of a parsed snapshot as readable lines (`/objects/3/object: must have required property 'kind'`); empty when valid. */
export function snapshotSchemaErrors(value: unknown, max = 5): string[] {
  const validate = snapshotValidator();
  if (validate(value)) return [];
  const lines = (validate.errors ?? []).map(describe);
  const unique = [...new Set(lines)];
  return unique.length > max ? [...unique.slice(0, max), `… and ${unique.length - max} more`] : unique;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(top level)' : error.instancePath;
  switch (error.keyword) {
    case 'required':
      return `${at}: missing required field "${(error.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `${at}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at}: must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}
