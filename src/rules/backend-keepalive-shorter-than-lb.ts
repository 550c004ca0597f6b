import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backendSubject, type LogBackend } from '../model/lb-logs.js';
import { atTermination, backendTimelines, isServerError, observe, observedText } from '../model/timeline.js';
import { containersOf } from '../model/workloads.js';
import { asString } from '../util/values.js';

/**
 * The load balancer keeps idle connections to backends open for 600 s (the
 * classic and regional/internal Application Load Balancers; the global
 * external one's HTTP keepalive timeout defaults to 610 s): a backend must keep
 * them longer (Google recommends more than 600 s).
 */
const LB_KEEPALIVE_SECONDS = 600;

/** The knob of common servers, by what the image name tells. */
const KNOBS: Array<[RegExp, string]> = [
  [/\bnode(?:js)?\b|\bnext(?:js)?\b|express|nestjs/i, 'Node.js: `server.keepAliveTimeout = 620_000` (and `server.headersTimeout` a little above it)'],
  [/gunicorn/i, 'gunicorn: `--keep-alive 620`'],
  [/uvicorn|fastapi/i, 'uvicorn: `--timeout-keep-alive 620`'],
  [/(^|\/)(nginx|openresty)|ingress-nginx/i, 'nginx: `keepalive_timeout 620s;`'],
  [/(^|\/)(httpd|apache)/i, 'Apache httpd: `KeepAliveTimeout 620`'],
  [/envoy/i, 'Envoy: `common_http_protocol_options.idle_timeout: 620s`'],
  [/tomcat|spring|java|jdk|jre|temurin|corretto/i, 'Spring Boot/Tomcat: `server.tomcat.keep-alive-timeout=620s` (Jetty/Netty: the connector idle timeout)'],
  [/(^|\/)(golang|distroless\/static)/i, 'Go net/http: `http.Server{IdleTimeout: 620 * time.Second}`'],
  [/puma|rails|ruby/i, 'Puma: `persistent_timeout 620`'],
];

const ALL_KNOBS = 'Node.js `server.keepAliveTimeout`, gunicorn `--keep-alive`, uvicorn `--timeout-keep-alive`, nginx `keepalive_timeout`, Apache `KeepAliveTimeout`, Go `http.Server.IdleTimeout`, Tomcat `server.tomcat.keep-alive-timeout`, Puma `persistent_timeout`';

function knobsOf(backend: LogBackend): { images: string[]; knobs: string[] } {
  const images = new Set<string>();
  for (const w of backend.workloads) for (const c of containersOf(w)) {
    const image = asString(c.container.image);
    if (image) images.add(image);
  }
  const knobs = new Set<string>();
  for (const image of images) {
    const hit = KNOBS.find(([pattern]) => pattern.test(image));
    if (hit) knobs.add(hit[1]);
  }
  return { images: [...images], knobs: [...knobs] };
}

export default defineRule({
  meta: {
    id: 'backend-keepalive-shorter-than-lb',
    title: 'Backend closes idle connections before the load balancer',
    severity: 'warning',
    category: 'symptom',
    symptom: 'Random 502s all day, a few per hour, unrelated to deploys.',
    cause: `The load balancer reuses its connections to a backend for up to ${LB_KEEPALIVE_SECONDS} s of idleness. A server whose keepalive timeout is shorter (Node.js defaults to 5 s, gunicorn 2 s, nginx 75 s) closes a connection just as the load balancer sends a request on it; the load balancer logs \`backend_connection_closed_before_data_sent_to_client\` and answers 502.`,
    evidence:
      'Request log entries with a 5xx and `backend_connection_closed_before_data_sent_to_client` on endpoints that were not terminating, spread over at least three separate minutes (a burst at one moment is more likely a restart).',
    remediation: `Make the server's keepalive (idle) timeout longer than the load balancer's ${LB_KEEPALIVE_SECONDS} s, e.g. 620 s: ${ALL_KNOBS}.`,
    needs: [DATA.gcpRequestLogs, DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const timeline of backendTimelines(ctx.model)) {
      const closed = timeline.requests.filter(
        (r) => isServerError(r.log.status) && r.log.statusDetails === 'backend_connection_closed_before_data_sent_to_client' && !atTermination(r, timeline),
      );
      const minutes = new Set(closed.map((r) => Math.floor(r.ms / 60_000)));
      if (closed.length < 3 || minutes.size < 3) continue;
      const observed = observe(closed)!;
      const subject = backendSubject(timeline.backend);
      const { images, knobs } = knobsOf(timeline.backend);
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        message: `${observedText(observed, false)} on ${subject.label}, spread over ${minutes.size} separate minutes on endpoints that were not terminating: the application closes idle connections before the load balancer's ${LB_KEEPALIVE_SECONDS} s. Raise its keepalive timeout above ${LB_KEEPALIVE_SECONDS} s — ${knobs.length ? knobs.join('; ') : ALL_KNOBS}.`,
        evidence: { ...subject.evidence, minutes: minutes.size, images, knobs },
        observed,
      });
    }
  },
});
