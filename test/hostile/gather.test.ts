/**
 * Issue 20, items 6 and 7: `gather --run DIR` against fake `kubectl` and
 * `gcloud` scripts that answer with hostile data. It writes only files it
 * creates inside DIR, refuses links and non-empty folders, redacts gcloud
 * credentials, never passes a name from an answer that could be a flag, and
 * turns every filesystem error into one line.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/cli.js';

let work: string;
let bin: string;
let log: string;

const KUBECTL = `#!/usr/bin/env node
const args = process.argv.slice(2);
require('fs').appendFileSync(process.env.FAKE_LOG, JSON.stringify(['kubectl', ...args]) + '\\n');
if (args.includes('current-context')) { console.log('gke_proj-1234_us-central1_prod'); process.exit(0); }
if (args.includes('kube-system')) { console.log(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'uid-1234' } })); process.exit(0); }
console.log(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }));
`;

const GCLOUD = `#!/usr/bin/env node
const args = process.argv.slice(2);
require('fs').appendFileSync(process.env.FAKE_LOG, JSON.stringify(['gcloud', ...args]) + '\\n');
const has = (...words) => words.every((w) => args.includes(w));
const cluster = { name: 'prod', location: 'us-central1', network: 'default', networkConfig: { network: 'projects/proj-1234/global/networks/default' },
  masterAuth: { clusterCaCertificate: 'Q0E=', clientKey: 'S0VZ', clientCertificate: 'Q0VSVA==', username: 'admin', password: 'hunter2' },
  nodePools: [{ name: 'pool', config: { metadata: { 'ssh-keys': 'root:ssh-rsa AAAA', 'startup-script': 'curl x | sh' } } }] };
let out = [];
if (has('clusters', 'describe')) out = cluster;
else if (has('clusters', 'list')) out = [cluster];
else if (has('network-endpoint-groups', 'list')) out = [
  { name: '--flags-file=/etc/passwd', zone: 'https://www.googleapis.com/compute/v1/projects/proj-1234/zones/us-central1-a', description: JSON.stringify({ 'cluster-uid': 'uid-1234', namespace: 'shop', 'service-name': 'web', port: '80' }) },
  { name: 'k8s1-uid12345-shop-web-80-abcdef12', zone: 'https://www.googleapis.com/compute/v1/projects/proj-1234/zones/--verbosity=debug' },
  { name: 'k8s1-uid12345-shop-api-80-abcdef12', zone: 'https://www.googleapis.com/compute/v1/projects/proj-1234/zones/us-central1-a' },
];
else if (has('backend-services', 'list') && args.includes('--global')) out = [
  { name: '--impersonate-service-account=evil@x.iam.gserviceaccount.com', backends: [{ group: 'https://www.googleapis.com/compute/v1/projects/proj-1234/zones/us-central1-a/networkEndpointGroups/k8s1-uid12345-shop-api-80-abcdef12' }] },
  { name: 'k8s1-uid12345-shop-api-80-abcdef12', iap: { enabled: true, oauth2ClientId: 'id', oauth2ClientSecret: 'topsecret' }, backends: [{ group: 'https://www.googleapis.com/compute/v1/projects/proj-1234/zones/us-central1-a/networkEndpointGroups/k8s1-uid12345-shop-api-80-abcdef12' }] },
];
console.log(JSON.stringify(out));
`;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'nd-gather-'));
  bin = path.join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'kubectl'), KUBECTL);
  writeFileSync(path.join(bin, 'gcloud'), GCLOUD);
  chmodSync(path.join(bin, 'kubectl'), 0o755);
  chmodSync(path.join(bin, 'gcloud'), 0o755);
  log = path.join(work, 'calls.log');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gather(dir: string, extra: string[] = []) {
  writeFileSync(log, '');
  return runCli(['gather', '--run', dir, '--timeout', '30', ...extra], { env: { PATH: `${bin}:${process.env.PATH}`, FAKE_LOG: log } });
}
const calls = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
const oneLine = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return stderr.trim();
};

describe('gather --run: the bundle folder', () => {
  it('writes a complete bundle into a new folder, lintable', () => {
    const dir = path.join(work, 'new', 'bundle');
    const run = gather(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(dir)).toContain('negdoctor-bundle.json');
    const lint = runCli(['lint', dir, '--format', 'json', '--fail-on', 'never']);
    expect(lint.status, lint.stderr).toBe(0);
  }, 60_000);

  it('refuses a folder holding a symlink, and writes nothing through it', () => {
    const dir = path.join(work, 'planted');
    mkdirSync(dir);
    const victim = path.join(work, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, path.join(dir, 'gcp.cluster.json'));
    const run = gather(dir);
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toBe(`negdoctor: ${dir} is not empty (1 entry); gather --run writes a new bundle into a new or empty folder`);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  }, 60_000);

  it('refuses DIR when it is itself a symlink', () => {
    const target = path.join(work, 'elsewhere');
    mkdirSync(target);
    const dir = path.join(work, 'link-dir');
    symlinkSync(target, dir);
    const run = gather(dir);
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toBe(`negdoctor: ${dir} is a symbolic link; give gather --run a new or empty folder`);
    expect(readdirSync(target)).toEqual([]);
  }, 60_000);

  it('a folder under a file: one line, exit 2', () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, '');
    const run = gather(path.join(file, 'bundle'));
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toBe(`negdoctor: cannot create ${path.join(file, 'bundle')}: ${file} is not a folder`);
  }, 60_000);

  it.skipIf(process.getuid?.() === 0)('an unwritable folder: one line, exit 2', () => {
    const parent = path.join(work, 'readonly');
    mkdirSync(parent, { mode: 0o555 });
    const run = gather(path.join(parent, 'bundle'));
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toBe(`negdoctor: cannot create ${path.join(parent, 'bundle')}: permission denied`);
  }, 60_000);

  it('a folder the kernel refuses (sysfs, unwritable even as root): one line, exit 2', () => {
    const run = gather('/sys/negdoctor-test');
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/^negdoctor: cannot create \/sys\/negdoctor-test: (permission denied|no such file or folder|read-only file system)$/);
  }, 60_000);

  it('does not hang under /proc', () => {
    const run = gather('/proc/negdoctor-test/bundle');
    expect(run.status).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/^negdoctor: cannot create \/proc\/negdoctor-test\/bundle: /);
  }, 60_000);
});

describe('gather --run: what reaches gcloud and the files', () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(work, 'hostile-answers');
    const run = gather(dir);
    expect(run.status, run.stderr).toBe(0);
  }, 60_000);

  it('no name from an API answer reaches gcloud as a flag', () => {
    const gcloud = calls().filter((c) => c[0] === 'gcloud');
    expect(gcloud.some((c) => c.includes('list-network-endpoints'))).toBe(true); // the valid NEG is still inspected
    for (const c of gcloud) {
      expect(c.some((a) => /^--(flags-file|impersonate-service-account|verbosity)/.test(a)), c.join(' ')).toBe(false);
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'negdoctor-bundle.json'), 'utf8')) as { captures: Array<{ ok: boolean; error?: string }> };
    const refused = manifest.captures.filter((c) => !c.ok && c.error?.includes('is not a valid Google Cloud name'));
    expect(refused).toHaveLength(3);
  });

  it('redacts credentials in gcloud answers (masterAuth, node metadata, IAP secret), keeps the CA certificate', () => {
    const text = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    for (const secret of ['hunter2', 'S0VZ', 'Q0VSVA==', 'ssh-rsa AAAA', 'curl x | sh', 'topsecret']) expect(text).not.toContain(secret);
    const cluster = JSON.parse(readFileSync(path.join(dir, 'gcp.cluster.json'), 'utf8')) as { masterAuth: Record<string, string> };
    expect(cluster.masterAuth).toEqual({ clusterCaCertificate: 'Q0E=', clientKey: '[redacted by negdoctor gather]', clientCertificate: '[redacted by negdoctor gather]', username: '[redacted by negdoctor gather]', password: '[redacted by negdoctor gather]' });
  });

  it('every file of the bundle is a regular file it created', () => {
    for (const f of readdirSync(dir, { withFileTypes: true })) expect(f.isFile(), f.name).toBe(true);
    expect(existsSync(path.join(dir, '..', 'gcp.cluster.json'))).toBe(false);
  });
});
