import { GKE_GATEWAY_CLASSES } from '../model/gateway-classes.js';
import { asString, get } from '../util/values.js';
import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';

const GKE_CONTROLLER_PREFIX = 'networking.gke.io/gateway';
const single = GKE_GATEWAY_CLASSES.filter((c) => !c.multiCluster).map((c) => `\`${c.name}\``);
const multi = GKE_GATEWAY_CLASSES.filter((c) => c.multiCluster).map((c) => `\`${c.name}\``);

export default defineRule({
  meta: {
    id: 'gateway-class-invalid',
    title: 'Gateway names a GKE GatewayClass that does not exist',
    severity: 'error',
    category: 'gateway',
    symptom: 'The Gateway never gets an address; `kubectl get gateway` shows no PROGRAMMED status, and no controller reports on it.',
    cause:
      'GKE\'s Gateway controller only programs Gateways whose gatewayClassName is one of the GatewayClasses it installs. A misspelt or retired `gke-l7-*` name belongs to no controller, so nothing ever writes the Gateway\'s status.',
    evidence: `Gateways (gateway.networking.k8s.io) whose spec.gatewayClassName starts with \`gke-l7-\`. When the inputs hold GKE's GatewayClass objects (controllerName networking.gke.io/gateway…, as a scan or \`kubectl get gatewayclasses -o yaml\` gives), they are the truth; otherwise the classes GKE documents: single-cluster ${single.join(', ')}; multi-cluster ${multi.join(', ')} (source: "GatewayClass capabilities", docs.cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities).`,
    remediation: 'Use one of the GatewayClasses `kubectl get gatewayclasses` lists (and enable the Gateway API, or multi-cluster Gateways for the `-mc` classes, on the cluster or fleet).',
    needs: [DATA.gateways],
    explains: [
      { rule: 'gateway-not-programmed', on: 'gateway', why: "No controller owns a GatewayClass that does not exist, so nothing programs that Gateway or gives it an address." },
    ],
    defaults: {},
  },
  check(ctx) {
    const gkeClassObjects = ctx.model
      .kind('GatewayClass')
      .filter((c) => (asString(get(c.object, 'spec', 'controllerName')) ?? '').startsWith(GKE_CONTROLLER_PREFIX));
    const known = new Set(gkeClassObjects.map(nameOf));
    for (const gateway of ctx.model.gateway.gateways) {
      if (!gateway.gke || !gateway.className || gateway.rejected) continue;
      const fromObjects = gkeClassObjects.length > 0;
      const exists = fromObjects ? known.has(gateway.className) : gateway.gkeClass !== undefined;
      if (exists) continue;
      const offered = fromObjects ? [...known].sort() : GKE_GATEWAY_CLASSES.map((c) => c.name);
      ctx.report({
        object: gateway.obj,
        path: ['spec', 'gatewayClassName'],
        message: `Gateway ${gateway.namespace}/${gateway.name} uses GatewayClass ${gateway.className}, which ${fromObjects ? "is not among this cluster's GKE GatewayClasses" : 'GKE does not offer'} (${offered.join(', ')}): no controller will program it.`,
        evidence: { gatewayClassName: gateway.className, source: fromObjects ? 'GatewayClass objects' : 'GKE documentation' },
      });
    }
  },
});
