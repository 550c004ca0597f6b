import { describe, expect, it } from 'vitest';
import {
  APP_PROTOCOLS_ANNOTATION,
  BACKEND_CONFIG_ANNOTATION,
  BETA_BACKEND_CONFIG_ANNOTATION,
  INGRESS_CLASS_ANNOTATION,
  LEGACY_APP_PROTOCOLS_ANNOTATION,
  NEG_ANNOTATION,
  NEG_STATUS_ANNOTATION,
  appProtocolForPort,
  appProtocolsAnnotationOf,
  backendConfigAnnotationOf,
  backendConfigNameForPort,
  describeIngressClass,
  ingressClassOf,
  parseAppProtocolsAnnotation,
  parseBackendConfigAnnotation,
  parseNegAnnotation,
  parseNegStatusAnnotation,
  unusedAppProtocolKeys,
  type ParseResult,
} from '../../src/analysis/annotations.js';

function errorOf<T>(result: ParseResult<T>): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('annotation keys', () => {
  it('exports the documented names', () => {
    expect(NEG_ANNOTATION).toBe('cloud.google.com/neg');
    expect(NEG_STATUS_ANNOTATION).toBe('cloud.google.com/neg-status');
    expect(BACKEND_CONFIG_ANNOTATION).toBe('cloud.google.com/backend-config');
    expect(BETA_BACKEND_CONFIG_ANNOTATION).toBe('beta.cloud.google.com/backend-config');
    expect(APP_PROTOCOLS_ANNOTATION).toBe('cloud.google.com/app-protocols');
    expect(INGRESS_CLASS_ANNOTATION).toBe('kubernetes.io/ingress.class');
  });
});

describe('parseNegAnnotation', () => {
  it.each([
    ['{"ingress": true}', { ingress: true }],
    ['{"ingress": false}', { ingress: false }],
    ['{"exposed_ports": {"80": {}}}', { exposed_ports: { '80': {} } }],
    ['{"exposed_ports": {"80": {"name": "custom-neg"}}}', { exposed_ports: { '80': { name: 'custom-neg' } } }],
    ['{"ingress": true, "zones": ["us-central1-a"]}', { ingress: true, zones: ['us-central1-a'] }],
    ['{"ingress":true,"exposed_ports":{"3000":{},"4000":{}}}', { ingress: true, exposed_ports: { '3000': {}, '4000': {} } }],
    ['{}', {}],
  ])('accepts %s', (text, value) => {
    expect(parseNegAnnotation(text)).toEqual({ ok: true, value });
  });

  it('reports a trailing comma as a JSON error with a hint', () => {
    const error = errorOf(parseNegAnnotation('{"ingress": true,}'));
    expect(error).toMatch(/^Annotation cloud.google.com\/neg is not valid JSON: /);
    expect(error).toMatch(/trailing comma/);
  });

  it('reports single quotes as a JSON error with a hint', () => {
    const error = errorOf(parseNegAnnotation("{'ingress': true}"));
    expect(error).toMatch(/is not valid JSON/);
    expect(error).toMatch(/double quotes/);
  });

  it('quotes ajv for a wrong type', () => {
    expect(errorOf(parseNegAnnotation('{"ingress": "true"}'))).toBe(
      'Annotation cloud.google.com/neg is invalid: /ingress must be boolean.',
    );
  });

  it('rejects unknown keys, suggesting the near one', () => {
    expect(errorOf(parseNegAnnotation('{"ingress": true, "foo": 1}'))).toMatch(
      /must NOT have additional property "foo" \(allowed: ingress, exposed_ports, zones\)/,
    );
    expect(errorOf(parseNegAnnotation('{"exposed-ports": {"80": {}}}'))).toMatch(/did you mean "exposed_ports"\?/);
    expect(errorOf(parseNegAnnotation('{"Ingress": true}'))).toMatch(/did you mean "ingress"\?/);
  });

  it('rejects exposed_ports keys that are not port numbers', () => {
    expect(errorOf(parseNegAnnotation('{"exposed_ports": {"http": {}}}'))).toBe(
      'Annotation cloud.google.com/neg is invalid: /exposed_ports key "http" must be a Service port number (1-65535).',
    );
    expect(parseNegAnnotation('{"exposed_ports": {"70000": {}}}').ok).toBe(false);
    expect(parseNegAnnotation('{"exposed_ports": {"0": {}}}').ok).toBe(false);
  });

  it('rejects bad exposed_ports entries and NEG names', () => {
    expect(errorOf(parseNegAnnotation('{"exposed_ports": {"80": {"nam": "x"}}}'))).toMatch(/\/exposed_ports\/80 must NOT have additional property "nam"/);
    expect(errorOf(parseNegAnnotation('{"exposed_ports": {"80": {"name": "Custom_NEG"}}}'))).toMatch(/\/exposed_ports\/80\/name must be a valid NEG name/);
    expect(errorOf(parseNegAnnotation('{"exposed_ports": ["80"]}'))).toMatch(/\/exposed_ports must be object/);
    expect(errorOf(parseNegAnnotation('{"zones": "us-central1-a"}'))).toMatch(/\/zones must be array/);
  });

  it('reports several problems at once', () => {
    const error = errorOf(parseNegAnnotation('{"ingress": 1, "zones": [1]}'));
    expect(error).toMatch(/\/ingress must be boolean/);
    expect(error).toMatch(/\/zones\/0 must be string/);
  });

  it('reports a non-object JSON value', () => {
    expect(errorOf(parseNegAnnotation('true'))).toMatch(/\(top level\) must be object/);
    expect(errorOf(parseNegAnnotation('null'))).toMatch(/\(top level\) must be object/);
  });

  it('reports a value that is not a string', () => {
    expect(errorOf(parseNegAnnotation({ ingress: true }))).toBe(
      'Annotation cloud.google.com/neg must be a string holding JSON, but it is a mapping. Write the JSON as a quoted string.',
    );
    expect(errorOf(parseNegAnnotation(true))).toMatch(/but it is a boolean\. Quote the value\./);
    expect(errorOf(parseNegAnnotation(null))).toMatch(/but it is null/);
    expect(errorOf(parseNegAnnotation(undefined))).toMatch(/is not set/);
    expect(errorOf(parseNegAnnotation(''))).toMatch(/is not valid JSON/);
  });
});

describe('parseNegStatusAnnotation', () => {
  it('accepts the controller-written shape', () => {
    const text = '{"network_endpoint_groups":{"80":"k8s1-abc-default-web-80-1a2b3c4d"},"zones":["us-central1-a","us-central1-b"]}';
    expect(parseNegStatusAnnotation(text)).toEqual({
      ok: true,
      value: {
        network_endpoint_groups: { '80': 'k8s1-abc-default-web-80-1a2b3c4d' },
        zones: ['us-central1-a', 'us-central1-b'],
      },
    });
  });

  it('rejects wrong types and non-numeric port keys', () => {
    expect(errorOf(parseNegStatusAnnotation('{"network_endpoint_groups":{"80":1}}'))).toMatch(/\/network_endpoint_groups\/80 must be string/);
    expect(errorOf(parseNegStatusAnnotation('{"network_endpoint_groups":{"http":"x"}}'))).toMatch(/key "http"/);
    expect(errorOf(parseNegStatusAnnotation('{"zones":"a"}'))).toMatch(/\/zones must be array/);
  });
});

describe('parseBackendConfigAnnotation', () => {
  it('accepts default, ports, or both', () => {
    expect(parseBackendConfigAnnotation('{"default": "bc"}')).toEqual({ ok: true, value: { default: 'bc' } });
    expect(parseBackendConfigAnnotation('{"ports": {"http": "bc-http", "443": "bc-https"}}').ok).toBe(true);
    expect(parseBackendConfigAnnotation('{"default": "bc", "ports": {"80": "bc-80"}}').ok).toBe(true);
  });

  it('requires at least one name', () => {
    expect(errorOf(parseBackendConfigAnnotation('{}'))).toMatch(/names no BackendConfig/);
    expect(errorOf(parseBackendConfigAnnotation('{"ports": {}}'))).toMatch(/names no BackendConfig/);
  });

  it('rejects wrong types and unknown keys, naming the beta key when asked', () => {
    expect(errorOf(parseBackendConfigAnnotation('{"default": 3}'))).toMatch(/\/default must be string/);
    expect(errorOf(parseBackendConfigAnnotation('{"ports": {"80": ""}}'))).toMatch(/\/ports\/80 must NOT have fewer than 1 characters/);
    expect(errorOf(parseBackendConfigAnnotation('{"port": {"80": "x"}}', BETA_BACKEND_CONFIG_ANNOTATION))).toMatch(
      /^Annotation beta.cloud.google.com\/backend-config is invalid: .*did you mean "ports"\?/,
    );
  });

  it('picks the GA key over the beta key', () => {
    const service = {
      metadata: {
        annotations: {
          [BETA_BACKEND_CONFIG_ANNOTATION]: '{"default": "beta"}',
          [BACKEND_CONFIG_ANNOTATION]: '{"default": "ga"}',
        },
      },
    };
    expect(backendConfigAnnotationOf(service)).toEqual({ key: BACKEND_CONFIG_ANNOTATION, result: { ok: true, value: { default: 'ga' } } });
    const betaOnly = { metadata: { annotations: { [BETA_BACKEND_CONFIG_ANNOTATION]: '{"default": "beta"}' } } };
    expect(backendConfigAnnotationOf(betaOnly)?.key).toBe(BETA_BACKEND_CONFIG_ANNOTATION);
    expect(backendConfigAnnotationOf({ metadata: {} })).toBeUndefined();
    expect(backendConfigAnnotationOf('nope')).toBeUndefined();
  });
});

describe('backendConfigNameForPort', () => {
  const parsed = { default: 'bc-default', ports: { http: 'bc-by-name', '443': 'bc-by-number' } };

  it('prefers a ports entry by name, then by number, then default', () => {
    expect(backendConfigNameForPort(parsed, { port: 80, name: 'http' })).toBe('bc-by-name');
    expect(backendConfigNameForPort(parsed, { port: 443, name: 'https' })).toBe('bc-by-number');
    expect(backendConfigNameForPort(parsed, { port: 8080, name: 'admin' })).toBe('bc-default');
    expect(backendConfigNameForPort(parsed, { port: 8080 })).toBe('bc-default');
  });

  it('the name entry wins over the number entry', () => {
    expect(backendConfigNameForPort({ ports: { '80': 'by-number', web: 'by-name' } }, { port: 80, name: 'web' })).toBe('by-name');
  });

  it('is undefined with neither a matching entry nor a default', () => {
    expect(backendConfigNameForPort({ ports: { http: 'x' } }, { port: 80 })).toBeUndefined();
  });
});

describe('app protocols', () => {
  it('accepts HTTP, HTTPS and HTTP2', () => {
    expect(parseAppProtocolsAnnotation('{"https": "HTTPS", "grpc": "HTTP2", "web": "HTTP"}').ok).toBe(true);
  });

  it('rejects other values, quoting the allowed ones', () => {
    expect(errorOf(parseAppProtocolsAnnotation('{"https": "https"}'))).toBe(
      'Annotation cloud.google.com/app-protocols is invalid: /https must be one of HTTP, HTTPS, HTTP2.',
    );
    expect(errorOf(parseAppProtocolsAnnotation('{"grpc": "GRPC"}'))).toMatch(/\/grpc must be one of/);
    expect(errorOf(parseAppProtocolsAnnotation('["HTTPS"]'))).toMatch(/must be object/);
  });

  it('looks ports up by name only, defaulting to HTTP', () => {
    const parsed = { https: 'HTTPS', '8443': 'HTTPS' } as const;
    expect(appProtocolForPort(parsed, { port: 443, name: 'https' })).toBe('HTTPS');
    expect(appProtocolForPort(parsed, { port: 8443 })).toBe('HTTP');
    expect(appProtocolForPort({}, { port: 80, name: 'http' })).toBe('HTTP');
  });

  it('explains keys the controller will not use', () => {
    const parsed = { '8443': 'HTTPS', web: 'HTTP', gone: 'HTTP2' } as const;
    expect(unusedAppProtocolKeys(parsed, [{ port: 8443, name: 'tls' }, { port: 80, name: 'web' }])).toEqual([
      { key: '8443', reason: 'GKE matches app-protocols by port name; use "tls" instead of 8443' },
      { key: 'gone', reason: 'the Service has no port named "gone"' },
    ]);
  });

  it('reads the legacy key first', () => {
    const service = {
      metadata: {
        annotations: { [APP_PROTOCOLS_ANNOTATION]: '{"a": "HTTP"}', [LEGACY_APP_PROTOCOLS_ANNOTATION]: '{"a": "HTTPS"}' },
      },
    };
    const found = appProtocolsAnnotationOf(service);
    expect(found?.key).toBe(LEGACY_APP_PROTOCOLS_ANNOTATION);
    expect(found?.result).toEqual({ ok: true, value: { a: 'HTTPS' } });
  });
});

describe('ingressClassOf', () => {
  const ingress = (annotation?: unknown, className?: unknown, live = false) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      ...(live ? { uid: '1234', creationTimestamp: '2024-01-01T00:00:00Z' } : {}),
      ...(annotation !== undefined ? { annotations: { [INGRESS_CLASS_ANNOTATION]: annotation } } : {}),
    },
    spec: className !== undefined ? { ingressClassName: className } : {},
  });
  const ingressClass = (name: string, controller: string, isDefault = false, parameters?: unknown) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller, ...(parameters ? { parameters } : {}) },
  });

  it('absent class is GKE external', () => {
    expect(ingressClassOf(ingress())).toBe('gce');
    expect(ingressClassOf(ingress(''))).toBe('gce');
  });

  it('the annotation decides: gce, gce-internal, gce-regional-external, others', () => {
    expect(ingressClassOf(ingress('gce'))).toBe('gce');
    expect(ingressClassOf(ingress('gce-internal'))).toBe('gce-internal');
    expect(ingressClassOf(ingress('gce-regional-external'))).toBe('gce');
    expect(ingressClassOf(ingress('nginx'))).toBe('other');
    expect(ingressClassOf(ingress('gce-multi-cluster'))).toBe('other');
  });

  it('the annotation wins over spec.ingressClassName', () => {
    expect(ingressClassOf(ingress('gce', 'nginx'))).toBe('gce');
    expect(ingressClassOf(ingress('nginx', 'gce'))).toBe('other');
    expect(describeIngressClass(ingress('gce-internal', 'nginx'))).toEqual({
      class: 'gce-internal',
      decidedBy: 'annotation',
      value: 'gce-internal',
    });
  });

  it('an ingressClassName of another controller is not GKE', () => {
    expect(ingressClassOf(ingress(undefined, 'nginx'), [ingressClass('nginx', 'k8s.io/ingress-nginx')])).toBe('other');
    expect(describeIngressClass(ingress(undefined, 'nginx')).note).toBeUndefined();
  });

  it('GKE ignores ingressClassName even for a k8s.io/ingress-gce IngressClass, and says so', () => {
    const classes = [
      ingressClass('external-lb', 'k8s.io/ingress-gce', false, { apiGroup: 'networking.gke.io', kind: 'GCPIngressParams', name: 'p' }),
    ];
    const decision = describeIngressClass(ingress(undefined, 'external-lb'), classes);
    expect(decision.class).toBe('other');
    expect(decision.decidedBy).toBe('ingressClassName');
    expect(decision.note).toMatch(/GKE ignores spec.ingressClassName \("external-lb", controller k8s.io\/ingress-gce\)/);
    expect(decision.note).toMatch(/kubernetes.io\/ingress.class: "gce"/);
  });

  it('ingressClassName gce-internal without an IngressClass is ignored too, with the internal fix', () => {
    const decision = describeIngressClass(ingress(undefined, 'gce-internal'));
    expect(decision.class).toBe('other');
    expect(decision.note).toMatch(/kubernetes.io\/ingress.class: "gce-internal"/);
  });

  it('a default IngressClass captures an unclassed manifest, but not a live object', () => {
    const classes = [ingressClass('nginx', 'k8s.io/ingress-nginx', true)];
    const decision = describeIngressClass(ingress(), classes);
    expect(decision).toMatchObject({ class: 'other', decidedBy: 'default-ingress-class', value: 'nginx' });
    expect(decision.note).toMatch(/cluster default/);
    expect(ingressClassOf(ingress(undefined, undefined, true), classes)).toBe('gce');
    expect(ingressClassOf(ingress('gce'), classes)).toBe('gce');
  });

  it('never throws on malformed input', () => {
    expect(ingressClassOf(null)).toBe('gce');
    expect(ingressClassOf('x', [null, 3, 'y'])).toBe('gce');
    expect(ingressClassOf({ metadata: { annotations: { [INGRESS_CLASS_ANNOTATION]: 5 } }, spec: { ingressClassName: 7 } })).toBe('gce');
  });
});
