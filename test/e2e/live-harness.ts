/**
 * Harness for the live e2e tests: the fake Kubernetes and Google Cloud
 * servers in this process, and the built CLI as a child process pointed at
 * them (asynchronously: the fakes answer from this event loop).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startGcpFake, type GcpFake, type GcpFakeState } from '../fakes/gcp-server.js';
import { startKubeFake, type FakeKubeObject, type KubeFake } from '../fakes/kube-server.js';
import { BIN, cliEnv, ROOT } from './cli.js';

/** The cluster UID that the Google Cloud fixture's NEG names and descriptions carry. */
export const CLUSTER_UID = '7f3a2b1c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
/** Names the GKE cluster of the Google Cloud fixture. */
export const GKE_CONTEXT = 'gke_demo-project_us-central1_shop';

const kubeFixture = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/snapshots/kube-basic.json'), 'utf8')) as { objects: Array<{ object: FakeKubeObject }> };

/** The kube fixture, with the kube-system UID of the cloud fixture's cluster so both describe one cluster. */
export function clusterObjects(): FakeKubeObject[] {
  const objects = structuredClone(kubeFixture.objects.map((o) => o.object));
  const kubeSystem = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'kube-system');
  if (kubeSystem) kubeSystem.metadata.uid = CLUSTER_UID;
  return objects;
}

export function gcpState(): GcpFakeState {
  return JSON.parse(readFileSync(path.join(ROOT, 'fixtures/snapshots/gcp-basic.json'), 'utf8')) as GcpFakeState;
}

export interface Fakes {
  kube: KubeFake;
  gcp: GcpFake;
  kubeconfig: string;
  dir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakes(
  options: { contextName?: string; kubeLatencyMs?: number; extraObjects?: FakeKubeObject[]; gcpState?: GcpFakeState } = {},
): Promise<Fakes> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-live-'));
  const kube = await startKubeFake([...clusterObjects(), ...(options.extraObjects ?? [])], { ...(options.kubeLatencyMs ? { latencyMs: options.kubeLatencyMs } : {}) });
  const gcp = await startGcpFake(options.gcpState ?? gcpState());
  const kubeconfig = kube.writeKubeconfig({ dir, contextName: options.contextName ?? GKE_CONTEXT });
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, 'fake-access-token\n');
  const env = {
    // An empty home: no ~/.kube/config, no gcloud Application Default Credentials.
    HOME: dir,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: gcp.computeEndpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: gcp.containerEndpoint,
  };
  return {
    kube,
    gcp,
    kubeconfig,
    dir,
    env,
    close: async () => {
      await Promise.all([kube.close(), gcp.close()]);
    },
  };
}

export interface AsyncRun {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI without blocking this event loop (the fakes live in it). */
export function runCliAsync(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<AsyncRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? (signal ? 128 : -1), stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface JsonReport {
  findings: Array<{ ruleId: string; severity: string; message: string; fingerprint: string; object: unknown; path: string }>;
  notEvaluated: Array<{ ruleId: string; reason: string }>;
  summary: Record<string, number>;
}

/** The symptom rules: read logs only with `scan --logs`, so a scan without it reports them not evaluated (naming --logs). */
export const LOG_RULES = ['lb-errors-at-pod-termination', 'backend-keepalive-shorter-than-lb', 'backend-timeout-exceeded', 'lb-no-healthy-backend', 'health-check-probe-failing', 'backend-returned-5xx'];

/** A report's not-evaluated rules, less the log rules a scan without --logs leaves out. */
export function notEvaluatedBesidesLogs<T extends { ruleId: string; reason: string }>(notEvaluated: T[]): T[] {
  return notEvaluated.filter((n) => !(LOG_RULES.includes(n.ruleId) && n.reason.includes('--logs')));
}
