/**
 * `negdoctor serve`: the continuous mode. Scans every --interval (and on
 * POST /scan), serves /metrics, /report.json, /healthz and /readyz. In a pod
 * (KUBERNETES_SERVICE_HOST set, no kubeconfig) the kube collector uses the
 * pod's service account; Google Cloud is read through Application Default
 * Credentials (Workload Identity on GKE).
 *
 * SIGTERM/SIGINT: readiness drops, the listener closes, the running scan gets
 * until --shutdown-timeout to finish, then the process exits 0 — abandoning
 * the scan's requests if need be, which is why this command ends the process
 * itself instead of waiting for the event loop to drain.
 */
import { CliError, EXIT } from '../exit.js';
import type { ClusterSelection } from '../pipeline/clusters.js';
import { checkSelectionFlags } from '../pipeline/clusters.js';
import type { LiveOptions } from '../pipeline/live.js';
import type { CommonOptions } from '../pipeline/options.js';
import { loadCommandConfig } from './run.js';
import { noticeLine } from '../util/notice.js';

export interface ServeOptions extends LiveOptions, Pick<CommonOptions, 'config' | 'enable' | 'disable'> {
  selection: ClusterSelection;
  /** Seconds between the starts of two scheduled scans. */
  intervalSec: number;
  /** host:port to listen on. */
  listen: string;
  /** Minimum seconds between two scans started by POST /scan. */
  scanCooldownSec: number;
  /** Seconds a running scan is given to finish after SIGTERM. */
  shutdownTimeoutSec: number;
  /** Host names answered besides the defaults (src/serve/http.ts defaultAllowedHosts). */
  allowedHosts?: string[];
  maxConnections?: number;
}

export async function serveCommand(options: ServeOptions): Promise<number> {
  checkSelectionFlags(options, options.selection);
  const { host, port } = parseListen(options.listen);
  const config = await loadCommandConfig({ ...options, format: 'json', failOn: 'never', failOnExplicit: false, color: false, quiet: true });
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${noticeLine(line)}`);
  const [{ createMetrics }, { Scanner }, { startServer, defaultAllowedHosts }] = await Promise.all([
    import('../serve/metrics.js'),
    import('../serve/scanner.js'),
    import('../serve/http.js'),
  ]);
  const metrics = createMetrics(options.intervalSec);
  const scanner = new Scanner({ live: options, selection: options.selection, config, rules: options, metrics, log });
  await scanner.announceClusters();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const scanAndReschedule = () => {
    clearTimeout(timer);
    const started = Date.now();
    void scanner.scan().then(() => {
      if (stopping) return;
      clearTimeout(timer);
      timer = setTimeout(scanAndReschedule, Math.max(0, started + options.intervalSec * 1000 - Date.now()));
    });
  };

  let served: Awaited<ReturnType<typeof startServer>>;
  try {
    served = await startServer(
      {
        registry: metrics.registry,
        report: () => scanner.reportJson,
        ready: () => !stopping && scanner.everyClusterScanned,
        startScan: () => {
          if (scanner.busy) return false;
          scanAndReschedule();
          return true;
        },
        scanCooldownMs: options.scanCooldownSec * 1000,
      },
      host,
      port,
      {
        ...(options.allowedHosts?.length ? { allowedHosts: [...defaultAllowedHosts(host), ...options.allowedHosts] } : {}),
        ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
      },
    );
  } catch (error) {
    throw new CliError(`cannot listen on ${options.listen}: ${(error as Error).message}`, EXIT.usage);
  }
  log(`serving on ${served.url} (/metrics, /report.json, /healthz, /readyz, POST /scan); scanning every ${options.intervalSec} s`);
  scanAndReschedule();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      const deadline = Date.now() + options.shutdownTimeoutSec * 1000;
      log(`${signal}: stopping; a running scan gets ${options.shutdownTimeoutSec} s to finish`);
      const running = scanner.current();
      const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())).unref());
      void Promise.race([Promise.all([served.close(), running]).then(() => 'done' as const), grace]).then((outcome) => {
        if (outcome === 'timeout' && running) log('the running scan was abandoned');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.exit(EXIT.ok);
}

/** "HOST:PORT", ":PORT" (every address) or "[IPv6]:PORT". */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new CliError(`--listen ${value}: expected HOST:PORT, :PORT or [IPv6]:PORT`, EXIT.usage);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
