import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  isGkeNegName,
  matchNegToService,
  MAX_NEG_NAME_LENGTH,
  negName,
  negNameClusterPrefix,
  negNameHash,
  nonDefaultSubnetNegName,
  parseNegDescription,
  trimFieldsEvenly,
} from '../../src/analysis/neg-name.js';

const sha8 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

// Expected values copied as literals from kubernetes/ingress-gce tests, so a
// change in our port of the algorithm shows up against the controller's own.
describe('values from ingress-gce pkg/utils/namer/namer_test.go (TestNamerNEG, clusterId "0123456789abcdef")', () => {
  const uid = '0123456789abcdef';
  const long = '01234567890123456789012345678901234567890123456789';
  it.each([
    ['namespace', 'name', 80, 'k8s1-01234567-namespace-name-80-5104b449'],
    [long.slice(0, 10), long.slice(0, 10), 1234567890, 'k8s1-01234567-0123456789-0123456789-1234567890-ed141b14'],
    [long, '0', 0, 'k8s1-01234567-0123456789012345678901234567890123456-0--72142e04'],
    [long, long, 0, 'k8s1-01234567-0123456789012345678-0123456789012345678--9129e3d2'],
    [long, long.slice(0, 40), 2147483647, 'k8s1-01234567-0123456789012345678-0123456789012345-214-ed1f2a2f'],
  ])('negName(%s, %s, %s)', (namespace, service, port, expected) => {
    const name = negName(uid, namespace, service, port);
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(MAX_NEG_NAME_LENGTH);
  });
});

describe('values from ingress-gce pkg/utils/namer/namer_test.go (TestNamerNonDefaultSubnetNEG)', () => {
  const uid = '0123456789abcdef';
  it.each([
    ['namespace', 'service-name', 'subnet-name', 80, 'k8s1-01234567-namespace-service-name-80-3be412-08a4d9c0'],
    ['long-namespace', 'long-service-name', 'long-subnet-name', 80, 'k8s1-01234567-long-namespace-long-service-nam-8-b3be80-5d10aaf3'],
    ['long-namespace'.repeat(5), 'service-name', 'subnet-name', 80, 'k8s1-01234567-long-namespacelong-namespa-servi--3be412-7acd125c'],
    [
      'long-namespace'.repeat(5),
      'long-service-name'.repeat(5),
      'long-subnet-name'.repeat(2),
      2147483647,
      'k8s1-01234567-long-namespace-long-service-nam-2-884529-0d830ed2',
    ],
  ])('nonDefaultSubnetNegName(%s, %s, %s, %s)', (namespace, service, subnet, port, expected) => {
    expect(nonDefaultSubnetNegName(uid, namespace, service, port, subnet)).toBe(expected);
  });
});

describe('values from ingress-gce pkg/neg/manager_test.go and pkg/backends/neg_linker_test.go', () => {
  it('short UID "clusteri" (manager_test.go)', () => {
    expect(negName('clusterid', 'ns1', 'svc1', 3000)).toBe('k8s1-clusteri-ns1-svc1-3000-03eb18a3');
    expect(negName('clusterid', 'ns2', 'svc2', 1000)).toBe('k8s1-clusteri-ns2-svc2-1000-d1ff5450');
    expect(negName('clusterid', 'ns2', 'svc3', 4000)).toBe('k8s1-clusteri-ns2-svc3-4000-bcf82183');
  });
  it('default http backend (neg_linker_test.go)', () => {
    const name = 'k8s1-325ba033-kube-system-default-http-backend-80-4520b6d9';
    expect(negName('325ba033', 'kube-system', 'default-http-backend', 80)).toBe(name);
    expect(matchNegToService(name, '325ba033ffff', [{ namespace: 'kube-system', service: 'default-http-backend', port: 80 }])).toEqual({
      candidate: { namespace: 'kube-system', service: 'default-http-backend', port: 80 },
      subnet: 'default',
    });
  });
});

describe('trimFieldsEvenly (cases of ingress-gce pkg/utils/namer/utils_test.go)', () => {
  const long = '01234567890123456789012345678901234567890123456789';
  it.each([
    [100, [long], [long]],
    [100, [long, long], [long, long]],
    [50, [long, long], [long.slice(0, 25), long.slice(0, 25)]],
    [10, [long, long, long], [long.slice(0, 4), long.slice(0, 3), long.slice(0, 3)]],
    [3, [long, long, long], [long.slice(0, 1), long.slice(0, 1), long.slice(0, 1)]],
    [1, [long, long.slice(0, 1)], [long.slice(0, 1), '']],
    [5, [long, long.slice(0, 1)], [long.slice(0, 5), '']],
  ])('max %i', (max, fields, expected) => {
    expect(trimFieldsEvenly(max, fields)).toEqual(expected);
  });
  it('leaves fields alone for max <= 0', () => {
    expect(trimFieldsEvenly(0, ['abc'])).toEqual(['abc']);
  });
});

describe('negName by the documented scheme', () => {
  const uid = 'a1b2c3d4-e5f6-7890-abcd-ef0123456789';
  it('uses the first 8 UID characters in both the prefix and the hash input', () => {
    const name = negName(uid, 'default', 'web', 80);
    expect(name).toBe(`k8s1-a1b2c3d4-default-web-80-${sha8('a1b2c3d4;default;web;80')}`);
    expect(negNameHash(uid, 'default', 'web', '80')).toBe(sha8('a1b2c3d4;default;web;80'));
  });
  it('keeps short names whole (exactly 38 label characters)', () => {
    const namespace = 'n'.repeat(15);
    const service = 's'.repeat(18);
    const name = negName(uid, namespace, service, 8080); // 15 + 18 + 4 = 37
    expect(name).toBe(`k8s1-a1b2c3d4-${namespace}-${service}-8080-${sha8(`a1b2c3d4;${namespace};${service};8080`)}`);
    const exact = negName(uid, namespace, `${service}x`, 8080); // 38
    expect(exact.length).toBe(MAX_NEG_NAME_LENGTH);
    expect(exact).toContain(`-${service}x-8080-`);
  });
  it('trims long namespace and service in proportion, hashing the untrimmed values', () => {
    const namespace = 'team-payments-production'; // 24
    const service = 'checkout-api-gateway-internal'; // 29
    const name = negName(uid, namespace, service, 443); // total 56, excess 18
    // 24 - floor(24*18/56)=7 - 1 = 16; 29 - floor(29*18/56)=9 - 1 = 19; 3 - 0 - 1 = 2; 1 left over goes to the namespace: 17 + 19 + 2 = 38
    expect(name).toBe(`k8s1-a1b2c3d4-team-payments-pro-checkout-api-gatewa-44-${sha8(`a1b2c3d4;${namespace};${service};443`)}`);
    expect(name.length).toBe(MAX_NEG_NAME_LENGTH);
  });
  it('never exceeds 63 characters', () => {
    for (const [ns, svc, port] of [
      ['a'.repeat(63), 'b'.repeat(63), 65535],
      ['x', 'y'.repeat(63), 1],
      ['kube-system', 'default-http-backend', 80],
    ] as const) {
      expect(negName(uid, ns, svc, port).length).toBeLessThanOrEqual(MAX_NEG_NAME_LENGTH);
    }
  });
  it('accepts the port as a string', () => {
    expect(negName(uid, 'default', 'web', '80')).toBe(negName(uid, 'default', 'web', 80));
  });
});

describe('isGkeNegName / negNameClusterPrefix', () => {
  it('recognises controller names', () => {
    const name = negName('0123456789abcdef', 'default', 'web', 80);
    expect(isGkeNegName(name)).toBe(true);
    expect(negNameClusterPrefix(name)).toBe('01234567');
    expect(isGkeNegName('k8s1-clusteri-ns1-svc1-3000-03eb18a3')).toBe(true);
    expect(negNameClusterPrefix('k8s1-clusteri-ns1-svc1-3000-03eb18a3')).toBe('clusteri');
    expect(isGkeNegName('k8s1-01234567-namespace-service-name-80-3be412-08a4d9c0')).toBe(true);
  });
  it('rejects other names', () => {
    expect(isGkeNegName('my-custom-neg')).toBe(false);
    expect(isGkeNegName('k8s-fw-l7--abc')).toBe(false);
    expect(isGkeNegName('k8s1-neg-name-1')).toBe(false);
    expect(isGkeNegName('k8s1-01234567-default-web-80-XYZ12345')).toBe(false);
    expect(isGkeNegName(`k8s1-01234567-${'a'.repeat(50)}-80-5104b449`)).toBe(false); // > 63
    expect(negNameClusterPrefix('my-custom-neg')).toBeUndefined();
  });
});

describe('parseNegDescription', () => {
  it('reads the controller description', () => {
    const text = '{"cluster-uid":"2f5a0c8e-1111-2222-3333-444455556666","namespace":"default","service-name":"web","port":"80"}';
    expect(parseNegDescription(text)).toEqual({
      clusterUid: '2f5a0c8e-1111-2222-3333-444455556666',
      namespace: 'default',
      serviceName: 'web',
      port: '80',
    });
  });
  it('fills omitted fields with "" and accepts a numeric port', () => {
    expect(parseNegDescription('{"cluster-uid":"u","port":8080}')).toEqual({ clusterUid: 'u', namespace: '', serviceName: '', port: '8080' });
  });
  it.each([undefined, null, '', '   ', 'not json', '[]', '42', 'null', '{"namespace":"x"}', '{"cluster-uid":7}', '{"cluster-uid":'])(
    'returns undefined for %j',
    (text) => {
      expect(parseNegDescription(text)).toBeUndefined();
    },
  );
  it('ignores other description kinds (NEGBinding descriptions have cluster-name)', () => {
    expect(parseNegDescription('{"cluster-name":"c","namespace":"n","backend-ref":"b"}')).toBeUndefined();
  });
});

describe('matchNegToService', () => {
  const uid = '0123456789abcdef';
  const candidates = [
    { namespace: 'default', service: 'web', port: 80 },
    { namespace: 'default', service: 'web', port: 443 },
    { namespace: 'long-namespace'.repeat(5), service: 'service-name', port: 80 },
  ];
  it('finds the Service port that produced a name', () => {
    expect(matchNegToService(negName(uid, 'default', 'web', 443), uid, candidates)?.candidate).toEqual(candidates[1]);
    expect(matchNegToService(negName(uid, 'long-namespace'.repeat(5), 'service-name', 80), uid, candidates)?.candidate).toBe(candidates[2]);
  });
  it('matches non-default-subnet names', () => {
    // ingress-gce namer_test.go TestNamerNonDefaultSubnetNEG "long namespace"
    expect(matchNegToService('k8s1-01234567-long-namespacelong-namespa-servi--3be412-7acd125c', uid, candidates)).toEqual({
      candidate: candidates[2],
      subnet: 'non-default',
    });
  });
  it('returns undefined for another cluster, another service or a custom name', () => {
    expect(matchNegToService(negName('ffffffff00', 'default', 'web', 80), uid, candidates)).toBeUndefined();
    expect(matchNegToService(negName(uid, 'default', 'api', 80), uid, candidates)).toBeUndefined();
    expect(matchNegToService(negName(uid, 'default', 'web', 8080), uid, candidates)).toBeUndefined();
    expect(matchNegToService('web-neg', uid, candidates)).toBeUndefined();
    expect(matchNegToService(negName(uid, 'default', 'web', 80), uid, [])).toBeUndefined();
  });
  it('only the first 8 UID characters matter', () => {
    expect(matchNegToService(negName('01234567', 'default', 'web', 80), uid, candidates)?.candidate).toEqual(candidates[0]);
  });
});
