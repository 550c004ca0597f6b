/**
 * Where fleet discovery connects, for each shape the Container API gives a
 * cluster: as `gcloud container clusters get-credentials` picks the endpoint
 * (public, private with --internal-ip, DNS when IP endpoints are off).
 */
import { describe, expect, it } from 'vitest';
import { connectionOf } from '../../src/collectors/gcp/discover.js';

const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n').toString('base64');
const base = { name: 'shop', location: 'europe-west1', endpoint: '34.76.1.2', masterAuth: { clusterCaCertificate: ca }, status: 'RUNNING' };
const id = 'projects/p/locations/europe-west1/clusters/shop';

describe('connectionOf', () => {
  it('uses the public endpoint and the CA of the API', () => {
    expect(connectionOf('p', base, false)).toEqual({ id, project: 'p', location: 'europe-west1', name: 'shop', server: 'https://34.76.1.2', caData: ca });
  });

  it('uses privateClusterConfig.privateEndpoint with --internal-ip, and says when there is none', () => {
    const private_ = { ...base, privateClusterConfig: { enablePrivateNodes: true, privateEndpoint: '10.0.0.2' } };
    expect(connectionOf('p', private_, true)).toMatchObject({ server: 'https://10.0.0.2', caData: ca });
    expect(connectionOf('p', base, true)).toEqual({ id, message: '--internal-ip: the cluster is not a private cluster (no privateClusterConfig)' });
    expect(connectionOf('p', { ...base, privateClusterConfig: {} }, true)).toEqual({ id, message: '--internal-ip: the cluster has no private endpoint' });
  });

  it('uses the DNS endpoint, with the public trust store, when IP endpoints are disabled', () => {
    const dnsOnly = {
      ...base,
      controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: false }, dnsEndpointConfig: { endpoint: 'gke-1234.europe-west1.gke.goog' } },
    };
    const connection = connectionOf('p', dnsOnly, false);
    expect(connection).toMatchObject({ server: 'https://gke-1234.europe-west1.gke.goog' });
    expect(connection).not.toHaveProperty('caData');
  });

  it('refuses a cluster without endpoint (provisioning) or without CA, rather than connecting unverified', () => {
    expect(connectionOf('p', { ...base, endpoint: undefined, status: 'PROVISIONING' }, false)).toEqual({ id, message: 'the cluster has no endpoint yet (status PROVISIONING)' });
    expect((connectionOf('p', { ...base, masterAuth: {} }, false) as { message: string }).message).toMatch(/no CA certificate/);
  });

  it('reads a zonal cluster from the legacy zone field', () => {
    expect(connectionOf('p', { ...base, location: undefined, zone: 'us-east1-b' }, false)).toMatchObject({ id: 'projects/p/locations/us-east1-b/clusters/shop', location: 'us-east1-b' });
  });
});
