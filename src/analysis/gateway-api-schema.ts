/**
 * Validates Gateway API objects (GatewayClass, Gateway, HTTPRoute, GRPCRoute,
 * ReferenceGrant) against the standard-channel CRDs vendored in
 * schemas/gateway-api/ (kubernetes-sigs/gateway-api at the release SOURCE.json
 * names): what the API server rejects on `kubectl apply`. Objects of a
 * version the CRD does not serve are not validated.
 */
import { readFileSync } from 'node:fs';
import { crdValidator, schemaProblems, schemaUrl, type SchemaProblem } from './crd-schema.js';

export const GATEWAY_API_SCHEMA_KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'] as const;
const KINDS = new Set<string>(GATEWAY_API_SCHEMA_KINDS);

interface Source {
  tag: string;
  files: Record<string, { schema: string; served: string[] }>;
}
let source: Source | undefined;

function sourceRecord(): Source {
  source ??= JSON.parse(readFileSync(schemaUrl('schemas/gateway-api/SOURCE.json'), 'utf8')) as Source;
  return source;
}

/** The release the schemas come from (for messages). */
export function gatewayApiRelease(): string {
  return sourceRecord().tag;
}

/** Schema problems of a Gateway API object, or undefined when its kind/version is not one validated. */
export function gatewayApiSchemaProblems(object: { apiVersion?: unknown; kind?: unknown }): SchemaProblem[] | undefined {
  if (typeof object.kind !== 'string' || !KINDS.has(object.kind)) return undefined;
  const entry = sourceRecord().files[object.kind];
  if (!entry || typeof object.apiVersion !== 'string' || !entry.served.includes(object.apiVersion)) return undefined;
  return schemaProblems(crdValidator(schemaUrl(`schemas/gateway-api/${entry.schema}`)), object);
}
