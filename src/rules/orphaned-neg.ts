import { matchNegToService, negNameClusterPrefix, parseNegDescription } from '../analysis/neg-name.js';
import type { Model } from '../model/index.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpNeg, GkeCluster } from '../snapshot/types.js';
import { clusterIdentity, clusterNetwork, targetCluster } from '../model/cluster-identity.js';
import { isGkeNeg, negEvidence, negKey, negKeyOfGroup, negOwnership, negResource } from '../model/neg-index.js';
import { negStatusNames } from '../model/neg-status.js';
import { lastSegment } from '../util/text.js';
import { defineRule } from './define-rule.js';

interface WantedBy {
  namespace: string;
  service: string;
  port: string;
}

/** Which Service port of this cluster the NEG was made for: its description, or its name recomputed from the Services in the model. */
function madeFor(model: Model, neg: GcpNeg): WantedBy | undefined {
  const description = parseNegDescription(neg.description);
  if (description) return { namespace: description.namespace || 'default', service: description.serviceName, port: description.port };
  const status = negStatusNames(model).get(neg.name);
  if (status) return { namespace: status.service.namespace, service: status.service.name, port: status.port };
  const prefix = negNameClusterPrefix(neg.name);
  if (prefix === undefined) return undefined;
  const candidates = model.services.flatMap((s) => s.ports.map((p) => ({ namespace: s.namespace, service: s.name, port: p.port })));
  const match = matchNegToService(neg.name, prefix, candidates);
  return match ? { namespace: match.candidate.namespace, service: match.candidate.service, port: String(match.candidate.port) } : undefined;
}

/** Whether a Service of the model still asks for this NEG: NEG-backed port, or the NEG named in its neg-status. */
function stillWanted(model: Model, neg: GcpNeg, wanted: WantedBy): { wanted: boolean; serviceExists: boolean } {
  const services = model.servicesNamed(wanted.namespace, wanted.service);
  if (services.length === 0) return { wanted: false, serviceExists: false };
  if (negStatusNames(model).get(neg.name)) return { wanted: true, serviceExists: true };
  const wants = model.negServices.some(
    (n) => services.includes(n.service) && n.ports.some((p) => String(p.servicePort.port) === wanted.port),
  );
  return { wanted: wants, serviceExists: true };
}

/** A live cluster that could have made the NEG: same network, a node zone of the NEG's zone, created before it. */
function couldOwn(cluster: GkeCluster, neg: GcpNeg): boolean {
  const network = clusterNetwork(cluster);
  if (network && neg.network && lastSegment(neg.network) !== network) return false;
  const zone = lastSegment(neg.zone);
  const zones = [...(cluster.locations ?? []), ...(cluster.nodePools ?? []).flatMap((p) => p.locations ?? [])];
  if (zone && zones.length > 0 && !zones.includes(zone)) return false;
  if (zone && zones.length === 0 && cluster.location && !zone.startsWith(cluster.location)) return false;
  const created = Date.parse(String(cluster.createTime ?? ''));
  const negCreated = Date.parse(neg.creationTimestamp ?? '');
  if (!Number.isNaN(created) && !Number.isNaN(negCreated) && negCreated < created) return false;
  return true;
}

export default defineRule({
  meta: {
    id: 'orphaned-neg',
    title: 'A NEG that GKE created is left behind',
    severity: 'warning',
    category: 'cloud',
    symptom: 'Deleting the VPC network or subnet fails because NEGs still use it, NEG quota runs out, and `gcloud compute network-endpoint-groups list` shows k8s1-… NEGs nobody recognises.',
    cause:
      'The GKE NEG controller deletes a NEG when its Service stops asking for it, but not when the controller cannot run any more: a cluster deleted while Ingresses or NEG Services still existed, a namespace removed in one go, or a sync that failed midway leaves the NEGs (and their quota) behind.',
    evidence:
      'Every NEG the controller made (a `k8s1-` name, or a custom exposed_ports name whose description carries `cluster-uid`) that no backend service uses. If its description\'s cluster-uid is this cluster\'s (the kube-system Namespace UID; learnt from the snapshot, a kube-system Namespace dump, or a NEG a Service\'s neg-status names), the rule fires when no Service of this cluster asks for it any more. If it is another cluster\'s, the rule fires only when no live cluster in the project could own it (same network, a node zone equal to the NEG zone, created before the NEG); the message says how complete the cluster list was. NEGs whose owner cannot be told stay silent.',
    remediation:
      'Check that nothing uses the NEG (`gcloud compute backend-services list --filter="backends.group~NAME"`) and delete it: `gcloud compute network-endpoint-groups delete NAME --zone ZONE`.',
    needs: [DATA.gcpNegs, DATA.gcpBackendServices],
    defaults: {},
  },
  check(ctx) {
    const cloud = ctx.snapshot.cloud ?? {};
    const negs = cloud.negs ?? [];
    const attached = new Set<string>();
    for (const service of cloud.backendServices ?? []) {
      for (const backend of service.backends ?? []) {
        const key = negKeyOfGroup(backend.group);
        if (key) attached.add(key);
      }
    }
    const identity = clusterIdentity(ctx.snapshot, ctx.model);
    const { cluster: ours } = targetCluster(ctx.snapshot, ctx.model);
    const clusters = cloud.clusters ?? [];
    const clusterListComplete = ctx.snapshot.data[DATA.gcpClusters]?.state === 'collected';
    const clustersKnown = clusterListComplete || ctx.snapshot.data[DATA.gcpCluster]?.state === 'collected';
    const live = ctx.snapshot.source === 'live';

    for (const neg of negs) {
      if (!isGkeNeg(neg) || !neg.zone) continue;
      if (attached.has(negKey(neg))) continue;
      const zone = lastSegment(neg.zone);
      const command = `gcloud compute network-endpoint-groups delete ${neg.name} --zone ${zone}${cloud.project ? ` --project ${cloud.project}` : ''}`;
      const description = parseNegDescription(neg.description);
      const ownership = negOwnership(neg, identity);
      const base = { ...negEvidence(neg), command, ...(description ? { clusterUid: description.clusterUid } : {}) };

      if (ownership === 'ours') {
        const wanted = madeFor(ctx.model, neg);
        if (!wanted) continue;
        const { wanted: isWanted, serviceExists } = stillWanted(ctx.model, neg, wanted);
        if (isWanted) continue;
        const svc = `${wanted.namespace}/${wanted.service}`;
        const why = serviceExists
          ? `Service ${svc} no longer asks for a NEG on port ${wanted.port}`
          : live
            ? `Service ${svc} no longer exists`
            : `Service ${svc} is not among the inputs (the NEG is this cluster's by its cluster-uid)`;
        ctx.report({
          path: [],
          resource: negResource(neg),
          message: `NEG ${neg.name} in ${zone} was made by this cluster's NEG controller for ${svc} port ${wanted.port}, but ${why} and no backend service uses it: delete it with \`${command}\`.`,
          evidence: { ...base, service: svc, port: wanted.port, certainty: serviceExists || live ? 'certain' : 'the inputs may not hold every Service of the cluster' },
        });
        continue;
      }

      // Another cluster's NEG (or one whose owner cannot be told): only a NEG no live cluster can own is an orphan.
      if (!clustersKnown) continue;
      if (ownership === 'unknown' && !description) continue;
      const candidates = clusters.filter((c) => {
        // Our own cluster is ruled out when the NEG is known to be another's.
        if (ownership === 'other' && ours && c === ours) return false;
        return couldOwn(c, neg);
      });
      if (candidates.length > 0) continue;
      const scope = clusterListComplete
        ? `no live cluster in the project${cloud.project ? ` ${cloud.project}` : ''} matches it (${clusters.length} checked by network, zone and creation time)`
        : `none of the ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} in the inputs matches it by network, zone and creation time (the project's cluster list was not collected, so a cluster elsewhere may still own it)`;
      const owner = description ? `cluster UID ${description.clusterUid}` : 'another cluster';
      const svc = description ? ` for ${description.namespace}/${description.serviceName} port ${description.port}` : '';
      ctx.report({
        path: [],
        resource: negResource(neg),
        message: `NEG ${neg.name} in ${zone} was made by the NEG controller of ${owner}${svc}, ${scope}, and no backend service uses it: the cluster is most likely gone; delete it with \`${command}\`.`,
        evidence: { ...base, certainty: clusterListComplete ? 'no live cluster in the project matches' : 'only the clusters in the inputs were checked', clustersChecked: clusters.map((c) => c.name) },
      });
    }
  },
});
