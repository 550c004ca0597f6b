/**
 * Listener validity as GKE's Gateway controller judges it before it programs
 * a listener: the protocol against what the GatewayClass serves, the route
 * kinds in allowedRoutes, the hostname, conflicts between listeners on one
 * port, and where the TLS certificate comes from (Secrets by certificateRefs,
 * with a ReferenceGrant across namespaces; or GKE's alternatives: the
 * `networking.gke.io/pre-shared-certs` and `networking.gke.io/cert-manager-certs`
 * TLS options, the `networking.gke.io/certmap` annotation). What the API
 * server rejects (a tls block on HTTP, Passthrough on HTTPS, duplicate names)
 * is manifest-invalid's, not judged here.
 *
 * Source: Google's "GatewayClass capabilities" and "Secure a Gateway" pages
 * (docs.cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities,
 * …/how-to/secure-gateway): every GKE L7 class serves HTTP and HTTPS
 * listeners with HTTPRoute and GRPCRoute, terminates TLS at the load balancer,
 * takes certificates from `kubernetes.io/tls` Secrets, pre-shared SSL
 * certificates or a Certificate Manager map, and treats a certificate map
 * together with certificateRefs as an error.
 */
import { GATEWAY_GROUP, referenceGrantAllows } from '../analysis/gateway-api.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { inputsHoldAll } from './completeness.js';
import { nearest, type ObjectIndex } from './objects.js';
import { asArray, asRecord, asString, get, isRecord, type Rec } from '../util/values.js';
import type { Path } from './workloads.js';

export const GKE_LISTENER_PROTOCOLS = ['HTTP', 'HTTPS'] as const;
export const GKE_ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'] as const;
export const CERTMAP_ANNOTATION = 'networking.gke.io/certmap';
export const PRE_SHARED_CERTS_OPTION = 'networking.gke.io/pre-shared-certs';
export const CERT_MANAGER_CERTS_OPTION = 'networking.gke.io/cert-manager-certs';

/** A reason a listener is not (fully) programmed, named as the listener status condition would say it. */
export interface ListenerProblem {
  /** The listener status condition: Accepted=False, ResolvedRefs=False or Conflicted=True. */
  condition: 'Accepted' | 'ResolvedRefs' | 'Conflicted';
  reason: string;
  path: Path;
  message: string;
  /** The listener serves no route because of it. */
  blocking: boolean;
  /** Not certain: an object missing from inputs that do not hold all of its kind (reported as info). */
  partial?: boolean;
}

export interface ListenerInfo {
  index: number;
  name: string;
  port?: number;
  protocol?: string;
  hostname?: string;
  allowedRoutes?: unknown;
  tls?: Rec;
  path: Path;
  /** What keeps GKE from programming it as written (filled for GKE Gateways only). */
  problems: ListenerProblem[];
  /** Set when a problem means it takes no route (not accepted, conflicted, no route kind it can carry). */
  invalid?: string;
}

interface GatewayRef {
  obj: SnapshotObject;
  namespace: string;
  name: string;
  className?: string;
}

/** Fills `problems` and `invalid` of a GKE Gateway's listeners. */
export function judgeListeners(model: ObjectIndex, gateway: GatewayRef, listeners: ListenerInfo[], grants: (namespace: string) => SnapshotObject[]): void {
  const annotations = asRecord(gateway.obj.object.metadata.annotations) ?? {};
  const certmap = asString(annotations[CERTMAP_ANNOTATION]);
  const klass = gateway.className ?? '?';
  for (const listener of listeners) {
    const problems = listener.problems;
    const protocol = listener.protocol?.toUpperCase();
    if (protocol !== undefined && !(GKE_LISTENER_PROTOCOLS as readonly string[]).includes(protocol)) {
      problems.push({
        condition: 'Accepted',
        reason: 'UnsupportedProtocol',
        path: [...listener.path, 'protocol'],
        message: `protocol ${listener.protocol} is not one GatewayClass ${klass} serves (${GKE_LISTENER_PROTOCOLS.join(', ')})`,
        blocking: true,
      });
    }
    kindProblems(listener, klass);
    if (listener.hostname !== undefined && /^\d{1,3}(\.\d{1,3}){3}$/.test(listener.hostname)) {
      problems.push({
        condition: 'Accepted',
        reason: 'UnsupportedValue',
        path: [...listener.path, 'hostname'],
        message: `hostname ${listener.hostname} is an IP address; a listener hostname must be a DNS name (requests are matched on their Host header)`,
        blocking: true,
      });
    }
    if (protocol === 'HTTPS') certificateProblems(model, gateway, listener, certmap, grants);
  }
  conflicts(listeners);
  // A listener that is not accepted (or conflicted, or carries no route kind it can serve) takes no route; one whose
  // certificates do not resolve still has its routes attached (the Gateway API counts them), but serves none of them.
  for (const listener of listeners) {
    const refusing = listener.problems.find((p) => p.blocking && (p.condition !== 'ResolvedRefs' || p.reason === 'InvalidRouteKinds'));
    if (refusing) listener.invalid = `${refusing.reason}: ${refusing.message}`;
  }
}

function kindProblems(listener: ListenerInfo, klass: string): void {
  const kinds = asArray(get(listener.allowedRoutes, 'kinds'));
  if (kinds.length === 0) return;
  let valid = 0;
  const invalid: Array<{ index: number; text: string }> = [];
  kinds.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const group = asString(raw.group) ?? GATEWAY_GROUP;
    const kind = asString(raw.kind) ?? '';
    if (group === GATEWAY_GROUP && (GKE_ROUTE_KINDS as readonly string[]).includes(kind)) valid++;
    else invalid.push({ index, text: `${kind}${group !== GATEWAY_GROUP ? ` (group ${group || '""'})` : ''}` });
  });
  for (const bad of invalid) {
    listener.problems.push({
      condition: 'ResolvedRefs',
      reason: 'InvalidRouteKinds',
      path: [...listener.path, 'allowedRoutes', 'kinds', bad.index],
      message: `allowedRoutes.kinds names ${bad.text}, which a GatewayClass ${klass} listener cannot carry (${GKE_ROUTE_KINDS.join(', ')})`,
      blocking: valid === 0,
    });
  }
}

function certificateProblems(model: ObjectIndex, gateway: GatewayRef, listener: ListenerInfo, certmap: string | undefined, grants: (namespace: string) => SnapshotObject[]): void {
  const tls = listener.tls;
  const refs = asArray(tls?.certificateRefs);
  const options = asRecord(tls?.options) ?? {};
  const gkeOption = [PRE_SHARED_CERTS_OPTION, CERT_MANAGER_CERTS_OPTION].find((k) => typeof options[k] === 'string' && (options[k] as string).trim() !== '');
  if (certmap !== undefined && refs.length > 0) {
    listener.problems.push({
      condition: 'ResolvedRefs',
      reason: 'InvalidCertificateRef',
      path: [...listener.path, 'tls', 'certificateRefs'],
      message: `the Gateway's ${CERTMAP_ANNOTATION} annotation and tls.certificateRefs are both set, which GKE treats as an error; use one source of certificates`,
      blocking: true,
    });
    return;
  }
  if (refs.length === 0) {
    if (certmap !== undefined || gkeOption) return;
    listener.problems.push({
      condition: 'ResolvedRefs',
      reason: 'InvalidCertificateRef',
      path: tls ? [...listener.path, 'tls'] : listener.path,
      message: `an HTTPS listener needs a certificate: tls.certificateRefs (a kubernetes.io/tls Secret), the tls.options ${PRE_SHARED_CERTS_OPTION} or ${CERT_MANAGER_CERTS_OPTION}, or the Gateway annotation ${CERTMAP_ANNOTATION}, and it has none`,
      blocking: true,
    });
    return;
  }
  let usable = gkeOption ? 1 : 0;
  const found: ListenerProblem[] = [];
  refs.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const path = [...listener.path, 'tls', 'certificateRefs', index];
    const group = asString(raw.group) ?? '';
    const kind = asString(raw.kind) ?? 'Secret';
    const name = asString(raw.name) ?? '';
    const namespace = asString(raw.namespace) ?? gateway.namespace;
    const problem = (reason: string, message: string, extra: Partial<ListenerProblem> = {}) =>
      found.push({ condition: 'ResolvedRefs', reason, path, message: `tls.certificateRefs[${index}] ${message}`, blocking: false, ...extra });
    if (group !== '' || kind !== 'Secret') {
      problem('InvalidCertificateRef', `is ${kind}${group ? ` (group ${group})` : ''}; GKE takes certificates by reference only from core Secrets (group "", kind Secret)`);
      return;
    }
    if (namespace !== gateway.namespace) {
      const allowed = referenceGrantAllows(
        grants(namespace).map((g) => g.object as unknown as Rec),
        { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace },
        { group: '', kind: 'Secret', name },
      );
      if (!allowed) {
        problem('RefNotPermitted', `names Secret ${namespace}/${name} in another namespace, and no ReferenceGrant in ${namespace} lets Gateways of ${gateway.namespace} refer to it`);
        return;
      }
    }
    const secret = nearest(gateway.obj, model.find('Secret', namespace, name), (o) => o)[0];
    if (!secret) {
      if (inputsHoldAll(model, 'Secret', namespace, gateway.obj)) {
        problem('InvalidCertificateRef', `names Secret ${namespace}/${name}, which does not exist`);
      } else if (model.kind('Secret').some((s) => (asString(s.object.metadata.namespace) ?? 'default') === namespace)) {
        usable++;
        problem('InvalidCertificateRef', `names Secret ${namespace}/${name}, which is not among the Secrets in the linted inputs; make sure something else creates it`, { partial: true });
      } else {
        usable++; // Secrets rarely sit beside manifests, and a scan never reads them: not judged.
      }
      return;
    }
    const type = asString(secret.object.type);
    if (type !== undefined && type !== 'kubernetes.io/tls') {
      problem('InvalidCertificateRef', `names Secret ${namespace}/${name} of type ${type}; a certificate Secret must be of type kubernetes.io/tls`);
      return;
    }
    const data = asRecord(secret.object.data) ?? asRecord(secret.object.stringData);
    if (data && (data['tls.crt'] === undefined || data['tls.key'] === undefined)) {
      problem('InvalidCertificateRef', `names Secret ${namespace}/${name}, which lacks ${data['tls.crt'] === undefined ? 'tls.crt' : 'tls.key'}`);
      return;
    }
    const crt = data?.['tls.crt'];
    const pem = typeof crt !== 'string' ? undefined : asRecord(secret.object.data) ? Buffer.from(crt, 'base64').toString('latin1') : crt;
    if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) {
      problem('InvalidCertificateRef', `names Secret ${namespace}/${name}, whose tls.crt is not a PEM certificate`);
      return;
    }
    usable++;
  });
  // With no certificate left the listener serves nothing; otherwise it serves, but ResolvedRefs is False.
  for (const p of found) listener.problems.push(p.partial ? p : { ...p, blocking: usable === 0 });
}

/** Listeners on one port that GKE cannot program together (the Gateway API's Conflicted condition). */
function conflicts(listeners: ListenerInfo[]): void {
  const byPort = new Map<number, ListenerInfo[]>();
  for (const l of listeners) if (l.port !== undefined) byPort.set(l.port, [...(byPort.get(l.port) ?? []), l]);
  for (const [port, group] of byPort) {
    if (group.length < 2) continue;
    const protocols = new Set(group.map((l) => l.protocol?.toUpperCase() ?? ''));
    if (protocols.size > 1) {
      for (const l of group) {
        l.problems.push({
          condition: 'Conflicted',
          reason: 'ProtocolConflict',
          path: [...l.path, 'protocol'],
          message: `port ${port} is used by listeners with different protocols (${group.map((x) => `${x.name}: ${x.protocol ?? '?'}`).join(', ')})`,
          blocking: true,
        });
      }
    }
  }
}
