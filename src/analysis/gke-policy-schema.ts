/**
 * Validates GKE's Gateway policies (HealthCheckPolicy, GCPBackendPolicy,
 * GCPGatewayPolicy) against the schemas vendored in schemas/gke-gateway/
 * (derived from GoogleCloudPlatform/gke-gateway-api's newest CRDs; see the
 * README there). The schema files and ajv are loaded on the first policy met.
 */
import { crdValidator, schemaProblems, schemaUrl, type SchemaProblem } from './crd-schema.js';

export type { SchemaProblem } from './crd-schema.js';

export const GKE_POLICY_KINDS = ['HealthCheckPolicy', 'GCPBackendPolicy', 'GCPGatewayPolicy'] as const;
export type GkePolicyKind = (typeof GKE_POLICY_KINDS)[number];

/** The schema errors of a policy object, as the API server would reject it (an empty list when valid). */
export function policySchemaProblems(kind: GkePolicyKind, object: unknown): SchemaProblem[] {
  return schemaProblems(crdValidator(schemaUrl(`schemas/gke-gateway/${kind.toLowerCase()}.json`)), object);
}
