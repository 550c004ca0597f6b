import { asArray, asString, get, isRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { CERTMAP_ANNOTATION, CERT_MANAGER_CERTS_OPTION, GKE_LISTENER_PROTOCOLS, GKE_ROUTE_KINDS, PRE_SHARED_CERTS_OPTION } from '../model/gateway-listeners.js';

/** The listener conditions whose value means trouble: Accepted/ResolvedRefs/Programmed False, Conflicted True. */
const BAD: Record<string, string> = { Accepted: 'False', ResolvedRefs: 'False', Programmed: 'False', Conflicted: 'True' };

export default defineRule({
  meta: {
    id: 'gateway-listener-invalid',
    title: 'GKE Gateway listener is invalid',
    severity: 'error',
    category: 'gateway',
    symptom: 'Requests to the listener\'s port or hostname get no answer or a certificate error, and the routes attached only to it serve nothing: `kubectl describe gateway` shows the listener Accepted or ResolvedRefs False (UnsupportedProtocol, InvalidRouteKinds, InvalidCertificateRef, RefNotPermitted) or Conflicted.',
    cause:
      'GKE\'s Gateway controller programs a listener only when the GatewayClass serves its protocol, its allowedRoutes.kinds are route kinds it can carry, its hostname is a DNS name, no other listener claims its port with another protocol, and an HTTPS listener has a certificate it can use: a kubernetes.io/tls Secret in the Gateway\'s namespace (or in another one whose ReferenceGrant lets the Gateway refer to it), a pre-shared or Certificate Manager certificate named in tls.options, or a Certificate Manager map named by the Gateway annotation (never together with certificateRefs).',
    evidence: `Each listener of a gateway.networking.k8s.io Gateway whose class is GKE's (gke-l7-*): the protocol (every GKE L7 class serves ${GKE_LISTENER_PROTOCOLS.join(' and ')}), allowedRoutes.kinds (${GKE_ROUTE_KINDS.join(', ')} of group gateway.networking.k8s.io), the hostname, the other listeners on its port, and for HTTPS tls.certificateRefs (group "", kind Secret; across namespaces a ReferenceGrant from Gateway to Secret; the Secret's type and keys when it is in the inputs; a missing Secret is an error only when the inputs hold all Secrets of its namespace, as a \`kubectl get secrets -o yaml\` dump does, info when they hold some, and not judged when they hold none, since a scan never reads Secrets) or GKE's alternatives (tls.options ${PRE_SHARED_CERTS_OPTION} or ${CERT_MANAGER_CERTS_OPTION}, annotation ${CERTMAP_ANNOTATION}) (source: "GatewayClass capabilities" and "Secure a Gateway", docs.cloud.google.com/kubernetes-engine/docs/how-to/). Live: status.listeners[].conditions Accepted, ResolvedRefs or Programmed False, or Conflicted True, with GKE's reason.`,
    remediation:
      'Use protocol HTTP or HTTPS; list only HTTPRoute/GRPCRoute in allowedRoutes.kinds; give each port one protocol; for HTTPS reference a kubernetes.io/tls Secret (with tls.crt and tls.key) in the Gateway\'s namespace, add a ReferenceGrant in the Secret\'s namespace (from: Gateway in the Gateway\'s namespace; to: Secret), or use pre-shared certificates or a certificate map instead.',
    needs: [DATA.gateways],
    explains: [
      {
        rule: 'gateway-not-programmed',
        on: 'gateway',
        why: 'GKE\'s controller reports a Gateway with an invalid listener as not accepted or not programmed (ListenersNotValid), and leaves the listener out of the load balancer.',
      },
      {
        rule: 'route-not-attached',
        on: 'listener',
        why: 'A route attaches only to listeners the controller accepts and programs, so a route whose only matching listeners are invalid is attached to none.',
      },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const gateway of ctx.model.gateway.gateways) {
      if (!gateway.gke) continue;
      const reported = new Set<string>();
      for (const listener of gateway.listeners) {
        for (const problem of listener.problems) {
          reported.add(listener.name);
          ctx.report({
            object: gateway.obj,
            path: problem.path,
            ...(problem.partial ? { severity: 'info' as const } : {}),
            message: `Gateway ${gateway.namespace}/${gateway.name} listener ${listener.name}: ${problem.message} (${problem.condition} ${problem.condition === 'Conflicted' ? 'True' : 'False'}, ${problem.reason})${problem.blocking ? '; it serves no route' : ''}.`,
            evidence: { listener: `${gateway.namespace}/${gateway.name}/${listener.name}`, condition: problem.condition, reason: problem.reason },
          });
        }
      }
      // Live: what GKE's controller wrote on each listener, for the listeners the inputs could not show a problem on.
      asArray(get(gateway.obj.object.status, 'listeners')).forEach((raw, index) => {
        if (!isRecord(raw)) return;
        const name = asString(raw.name) ?? '';
        if (reported.has(name)) return;
        const conditions = asArray(raw.conditions);
        const at = conditions.findIndex((c) => isRecord(c) && BAD[asString(c.type) ?? ''] === asString(c.status) && asString(c.reason) !== 'Pending');
        if (at < 0) return;
        const c = conditions[at] as Record<string, unknown>;
        const type = asString(c.type)!;
        const reason = asString(c.reason);
        const message = asString(c.message);
        ctx.report({
          object: gateway.obj,
          path: ['status', 'listeners', index, 'conditions', at],
          message: `Gateway ${gateway.namespace}/${gateway.name} listener ${name} is ${type}=${BAD[type]}: ${reason ?? 'no reason'}${message ? `: ${message.replace(/[.\s]+$/, '')}` : ''}.`,
          evidence: { listener: `${gateway.namespace}/${gateway.name}/${name}`, condition: type, ...(reason ? { reason } : {}) },
        });
      });
    }
  },
});
