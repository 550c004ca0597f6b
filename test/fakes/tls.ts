/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1,
 * made at test time with the `openssl` command (node:crypto cannot issue
 * X.509 certificates): what a GKE control plane presents, its CA being what
 * the Container API hands out as masterAuth.clusterCaCertificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  /** PEM of the CA certificate. */
  caCert: string;
  /** Base64 of the CA PEM, as the Container API's clusterCaCertificate. */
  caBase64: string;
  key: string;
  cert: string;
}

export function makeCertificates(commonName = 'fake-cluster-ca'): TestCertificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${commonName}`);
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver');
    writeFileSync(file('ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext');
    const caCert = readFileSync(file('ca.crt'), 'utf8');
    return { caCert, caBase64: Buffer.from(caCert).toString('base64'), key: readFileSync(file('server.key'), 'utf8'), cert: readFileSync(file('server.crt'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
