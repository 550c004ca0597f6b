import { describe, expect, it } from 'vitest';
import { inferHealthCheck, type HealthCheckInput } from '../../src/analysis/health-check.js';

const servicePort = { port: 80, name: 'http', targetPort: 8080 };

function container(readinessProbe?: unknown, ports: unknown = [{ name: 'http', containerPort: 8080 }]): Record<string, unknown> {
  return { name: 'app', image: 'app:1', ports, ...(readinessProbe !== undefined ? { readinessProbe } : {}) };
}

function infer(overrides: Partial<HealthCheckInput> & { container: unknown }) {
  return inferHealthCheck({ servicePort, containerPortNumber: 8080, ...overrides });
}

const httpProbe = { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, timeoutSeconds: 3 };

describe('inferHealthCheck', () => {
  it('uses the NEG defaults without a readinessProbe', () => {
    const hc = infer({ container: container() });
    expect(hc).toEqual({
      source: 'default',
      probeUsed: false,
      protocol: 'HTTP',
      path: '/',
      port: 8080,
      portSpecification: 'USE_SERVING_PORT',
      checkIntervalSec: 15,
      timeoutSec: 15,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    });
    expect(hc.notInferredBecause).toBeUndefined();
  });

  it('copies path, periodSeconds and timeoutSeconds from a qualifying httpGet probe', () => {
    const hc = infer({ container: container(httpProbe) });
    expect(hc).toMatchObject({
      source: 'readiness-probe',
      probeUsed: true,
      protocol: 'HTTP',
      path: '/healthz',
      port: 8080,
      checkIntervalSec: 5,
      timeoutSec: 3,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    });
    expect(hc.notInferredBecause).toBeUndefined();
    expect(hc.notes).toBeUndefined();
  });

  it('falls back to the Kubernetes probe defaults (10 s period, 1 s timeout) and says so', () => {
    const hc = infer({ container: container({ httpGet: { path: 'ready', port: 8080 } }) });
    expect(hc).toMatchObject({ source: 'readiness-probe', path: '/ready', checkIntervalSec: 10, timeoutSec: 1 });
    expect(hc.notes).toHaveLength(2);
  });

  it('an empty probe path becomes /', () => {
    expect(infer({ container: container({ httpGet: { port: 8080 } }) }).path).toBe('/');
  });

  it('Istio-style probe on 15020 while serving on 8080 is not inferred', () => {
    const probe = { httpGet: { path: '/app-health/app/readyz', port: 15020 } };
    const hc = infer({
      container: container(probe, [
        { name: 'http', containerPort: 8080 },
        { name: 'http-envoy-prom', containerPort: 15090 },
      ]),
    });
    expect(hc).toMatchObject({ source: 'default', probeUsed: false, path: '/', checkIntervalSec: 15, timeoutSec: 15 });
    expect(hc.notInferredBecause).toEqual(['the readinessProbe port 15020 is not the serving port "http" (8080)']);
  });

  it('a tcpSocket probe is not inferred', () => {
    const hc = infer({ container: container({ tcpSocket: { port: 8080 } }) });
    expect(hc.source).toBe('default');
    expect(hc.notInferredBecause).toEqual(['the readinessProbe uses tcpSocket, not httpGet']);
  });

  it('an exec probe is not inferred', () => {
    const hc = infer({ container: container({ exec: { command: ['cat', '/tmp/ready'] } }) });
    expect(hc.notInferredBecause).toEqual(['the readinessProbe uses exec, not httpGet']);
  });

  it('a grpc probe is not inferred', () => {
    expect(infer({ container: container({ grpc: { port: 8080 } }) }).notInferredBecause).toEqual([
      'the readinessProbe uses grpc, not httpGet',
    ]);
  });

  it('httpGet with host set is not inferred', () => {
    const hc = infer({ container: container({ httpGet: { path: '/healthz', port: 8080, host: 'example.com' } }) });
    expect(hc.source).toBe('default');
    expect(hc.notInferredBecause?.[0]).toMatch(/sets httpGet.host \("example.com"\)/);
  });

  it('httpGet with a single Host header is inferred and sends that host', () => {
    const probe = { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Host', value: 'shop.example.com' }] } };
    const hc = infer({ container: container(probe) });
    expect(hc).toMatchObject({ source: 'readiness-probe', host: 'shop.example.com', path: '/healthz' });
  });

  it('other headers (or a lower-case host header) disqualify the probe', () => {
    const other = { httpGet: { port: 8080, httpHeaders: [{ name: 'X-Probe', value: '1' }] } };
    expect(infer({ container: container(other) }).notInferredBecause?.[0]).toMatch(/HTTP headers \(X-Probe\)/);
    const two = { httpGet: { port: 8080, httpHeaders: [{ name: 'Host', value: 'a' }, { name: 'X', value: 'b' }] } };
    expect(infer({ container: container(two) }).source).toBe('default');
    const lower = { httpGet: { port: 8080, httpHeaders: [{ name: 'host', value: 'a' }] } };
    expect(infer({ container: container(lower) }).source).toBe('default');
  });

  it('HTTPS scheme with HTTP app protocol is not inferred', () => {
    const hc = infer({ container: container({ httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS' } }) });
    expect(hc.source).toBe('default');
    expect(hc.notInferredBecause).toEqual([
      'the readinessProbe scheme HTTPS does not match the app protocol HTTP (needs scheme HTTP)',
    ]);
  });

  it('HTTP scheme (the default) with HTTPS app protocol is not inferred', () => {
    const hc = infer({ appProtocolFromAnnotation: 'HTTPS', container: container(httpProbe) });
    expect(hc).toMatchObject({ source: 'default', protocol: 'HTTPS' });
    expect(hc.notInferredBecause?.[0]).toMatch(/scheme HTTP does not match the app protocol HTTPS/);
  });

  it('HTTP2 app protocol needs an HTTPS probe', () => {
    const probe = { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS' } };
    expect(infer({ appProtocolFromAnnotation: 'HTTP2', container: container(probe) })).toMatchObject({
      source: 'readiness-probe',
      protocol: 'HTTP2',
    });
  });

  it('a named probe port that resolves to the serving port is inferred', () => {
    const probe = { httpGet: { path: '/healthz', port: 'http' } };
    expect(infer({ container: container(probe) }).source).toBe('readiness-probe');
  });

  it('a named targetPort with the probe on the same port number is inferred', () => {
    const hc = inferHealthCheck({
      servicePort: { port: 80, targetPort: 'http' },
      container: container({ httpGet: { path: '/healthz', port: 8080 } }),
      containerPortNumber: 8080,
    });
    expect(hc.source).toBe('readiness-probe');
  });

  it('a named probe port naming another port is not inferred', () => {
    const probe = { httpGet: { path: '/healthz', port: 'admin' } };
    const hc = infer({ container: container(probe, [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9000 }]) });
    expect(hc.notInferredBecause).toEqual(['the readinessProbe port "admin" (9000) is not the serving port "http" (8080)']);
  });

  it('a probe in a container that does not declare the serving port is not inferred', () => {
    const hc = infer({ container: container(httpProbe, []) });
    expect(infer({ container: container(httpProbe, null) }).source).toBe('default');
    expect(hc.source).toBe('default');
    expect(hc.notInferredBecause?.[0]).toMatch(/does not declare the serving port 8080 under ports/);
  });

  it('targetPort defaults to the Service port', () => {
    const hc = inferHealthCheck({
      servicePort: { port: 8080 },
      container: container(httpProbe),
      containerPortNumber: 8080,
    });
    expect(hc.source).toBe('readiness-probe');
  });

  it('lists every reason at once', () => {
    const probe = { httpGet: { port: 9000, host: 'x', scheme: 'HTTPS' } };
    expect(infer({ container: container(probe) }).notInferredBecause).toHaveLength(3);
  });

  it('a BackendConfig healthCheck wins over the probe', () => {
    const hc = infer({
      container: container(httpProbe),
      backendConfigHealthCheck: { requestPath: '/lb-health', checkIntervalSec: 20, timeoutSec: 10, type: 'HTTP', port: 9000 },
    });
    expect(hc).toMatchObject({
      source: 'backendconfig',
      probeUsed: true,
      path: '/lb-health',
      checkIntervalSec: 20,
      timeoutSec: 10,
      port: 9000,
      portSpecification: 'USE_FIXED_PORT',
    });
  });

  it('a BackendConfig overrides only the fields it sets, on top of the probe', () => {
    const hc = infer({ container: container(httpProbe), backendConfigHealthCheck: { requestPath: '/lb' } });
    expect(hc).toMatchObject({ source: 'backendconfig', path: '/lb', checkIntervalSec: 5, timeoutSec: 3, port: 8080 });
  });

  it('a BackendConfig over the defaults still reports why the probe was not used', () => {
    const hc = infer({ container: container({ tcpSocket: { port: 8080 } }), backendConfigHealthCheck: { type: 'HTTPS', unhealthyThreshold: 3 } });
    expect(hc).toMatchObject({ source: 'backendconfig', protocol: 'HTTPS', path: '/', unhealthyThreshold: 3, checkIntervalSec: 15 });
    expect(hc.notInferredBecause).toHaveLength(1);
  });

  it('notes that spec.ports[].appProtocol is ignored by GKE Ingress', () => {
    const hc = inferHealthCheck({
      servicePort: { ...servicePort, appProtocol: 'HTTPS' },
      container: container(),
      containerPortNumber: 8080,
    });
    expect(hc.protocol).toBe('HTTP');
    expect(hc.notes?.[0]).toMatch(/ignores spec.ports\[\].appProtocol/);
  });

  it('never throws on malformed input', () => {
    expect(infer({ container: 'nope' }).source).toBe('default');
    expect(infer({ container: container('probe') }).notInferredBecause).toEqual(['the readinessProbe is not an object']);
    expect(infer({ container: container({ httpGet: 'x' }) }).notInferredBecause).toEqual(['the readinessProbe has no httpGet handler']);
    expect(infer({ container: container({ httpGet: { path: '/' } }) }).notInferredBecause).toEqual([
      'the readinessProbe httpGet.port is missing or not a number or name',
    ]);
    const hc = infer({ container: container(), backendConfigHealthCheck: { checkIntervalSec: '5', type: 'TCP', requestPath: 3 } });
    expect(hc).toMatchObject({ source: 'backendconfig', checkIntervalSec: 15, protocol: 'HTTP', path: '/' });
    expect(hc.notes).toHaveLength(3);
    expect(infer({ container: container(), backendConfigHealthCheck: 'x' }).source).toBe('default');
    expect(inferHealthCheck({ servicePort: null as never, container: null })).toMatchObject({ source: 'default', port: undefined });
  });
});
