/**
 * The GKE cluster a pod runs in, read from a fake metadata server on
 * 127.0.0.1 the way a GKE node's answers: only with the Metadata-Flavor
 * header, and "unknown" whenever anything is missing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gkeClusterFromMetadata } from '../../src/collectors/gcp/metadata.js';

let server: http.Server;
let host: string;
const answers: Record<string, string> = {
  '/computeMetadata/v1/project/project-id': 'shop-prod',
  '/computeMetadata/v1/instance/attributes/cluster-name': 'shop',
  '/computeMetadata/v1/instance/attributes/cluster-location': 'europe-west1',
};
const flavors: Array<string | undefined> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    flavors.push(req.headers['metadata-flavor'] as string | undefined);
    const body = answers[req.url ?? ''];
    if (req.headers['metadata-flavor'] !== 'Google' || body === undefined) {
      res.writeHead(404, { 'metadata-flavor': 'Google' }).end('not found');
      return;
    }
    res.writeHead(200, { 'metadata-flavor': 'Google', 'content-type': 'application/text' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('gkeClusterFromMetadata', () => {
  it("reads the project and GKE's cluster-name and cluster-location attributes", async () => {
    expect(await gkeClusterFromMetadata({ GCE_METADATA_HOST: host })).toEqual({ project: 'shop-prod', name: 'shop', location: 'europe-west1' });
    expect(new Set(flavors)).toEqual(new Set(['Google']));
  });

  it('is unknown on a VM that is not a GKE node (no cluster attributes)', async () => {
    const saved = answers['/computeMetadata/v1/instance/attributes/cluster-name']!;
    delete answers['/computeMetadata/v1/instance/attributes/cluster-name'];
    try {
      expect(await gkeClusterFromMetadata({ GCE_METADATA_HOST: host })).toBeUndefined();
    } finally {
      answers['/computeMetadata/v1/instance/attributes/cluster-name'] = saved;
    }
  });

  it('never asks with METADATA_SERVER_DETECTION=none, and is unknown when no server answers', async () => {
    const before = flavors.length;
    expect(await gkeClusterFromMetadata({ GCE_METADATA_HOST: host, METADATA_SERVER_DETECTION: 'none' })).toBeUndefined();
    expect(flavors.length).toBe(before);
    expect(await gkeClusterFromMetadata({ GCE_METADATA_HOST: '127.0.0.1:9' })).toBeUndefined();
  });
});
