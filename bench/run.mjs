#!/usr/bin/env node
/**
 * `npm run bench`: every performance figure with its target and a pass/miss
 * mark. Ratios are measured in one run on this machine (medians of several
 * runs each), never as absolute times: these machines are shared and noisy.
 *
 *   npm run bench              all sections
 *   npm run bench -- --quick   smaller corpora, fewer runs
 */
import os from 'node:os';
import { lintBenchmarks, lintLarge, lintSarif, startupBenchmarks } from './lint.mjs';
import { peerBenchmark } from './peer.mjs';
import { hostileBenchmarks } from './hostile.mjs';
import { scanBenchmark, PLAN } from './scan.mjs';
import { logBenchmark } from './logs.mjs';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';

const quick = process.argv.includes('--quick');
/** `--runs=N`: fewer repetitions when the machine is busy and a full run would take too long. */
const runsFlag = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length));
const runs = Number.isInteger(runsFlag) && runsFlag > 0 ? runsFlag : quick ? 3 : 5;
const rows = [];
const mark = (ok) => (ok ? 'pass' : 'MISS');
const add = (figure, value, target, ok) => rows.push({ figure, value, target, result: ok === undefined ? '' : mark(ok) });

console.log(`negdoctor bench — node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);

/** `--only=logs`: just the log-reading rows. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function logRows() {
  const logs = logBenchmark({ entries: quick ? 20_000 : 100_000, runs: Math.min(3, runs) });
  const label = `lint + ${logs.entries.toLocaleString('en-US')} log entries (one ${logs.megabytes.toFixed(0)} MB gcloud dump)`;
  add(
    `${label}: time`,
    `${logs.logsMs.toFixed(0)} ms vs JSON.parse ${logs.parseMs.toFixed(0)} ms + lint without logs ${logs.lintMs.toFixed(0)} ms = ${logs.timeRatio.toFixed(2)}×`,
    '< 2× (parse + lint)',
    logs.timeRatio < 2,
  );
  add(
    `${label}: peak RSS`,
    `${logs.logsRssMb.toFixed(0)} MB = lint alone ${logs.lintRssMb.toFixed(0)} MB + ${logs.memoryRatio.toFixed(2)}× the file (JSON.parse alone: ${logs.parseRssMb.toFixed(0)} MB)`,
    '< lint + 2× file',
    logs.memoryRatio < 2,
  );
}

if (only === 'logs') {
  logRows();
} else {
const startup = startupBenchmarks({ runs: quick ? 5 : Math.max(5, runs * 2 + 1) });
add('node -e 0', `${startup.nodeMs.toFixed(0)} ms`, 'reference');
add('negdoctor --version', `${startup.versionMs.toFixed(0)} ms = ${startup.versionRatio.toFixed(2)}× node`, '≤ 1.5×', startup.versionRatio <= 1.5);
add('lint one small file', `${startup.lintSmallMs.toFixed(0)} ms = ${startup.lintRatio.toFixed(2)}× node`, '≤ 2×', startup.lintRatio <= 2);

const lint = lintBenchmarks({ sizes: quick ? [1_000, 10_000] : [1_000, 10_000, 50_000], runs });
for (const row of lint) {
  const targeted = row.documents >= 10_000;
  const label = `lint ${row.documents.toLocaleString('en-US')} docs`;
  add(
    `${label}: time`,
    `${row.lintMs.toFixed(0)} ms vs parse ${row.parseMs.toFixed(0)} ms = ${row.ratio.toFixed(2)}×; ${Math.round(row.docsPerSec).toLocaleString('en-US')} docs/s`,
    targeted ? '≤ 1.2× parse' : 'report',
    targeted ? row.ratio <= 1.2 : undefined,
  );
  const rssRatio = row.peakRssMb / row.parsePeakRssMb;
  add(
    `${label}: peak RSS`,
    `${row.peakRssMb.toFixed(0)} MB vs parse ${row.parsePeakRssMb.toFixed(0)} MB = ${rssRatio.toFixed(2)}×`,
    targeted ? '≤ 1.5× parse' : 'report',
    targeted ? rssRatio <= 1.5 : undefined,
  );
}
if (lint.length >= 2) {
  const first = lint[0];
  const last = lint[lint.length - 1];
  const growth = (last.peakRssMb - first.peakRssMb) / (last.documents - first.documents);
  const perDocKb = growth * 1024;
  add('lint memory growth', `${perDocKb.toFixed(1)} KB per extra document (${first.documents}→${last.documents})`, 'linear', undefined);
}

{
  const sarif = lintSarif({ documents: quick ? 1_000 : 10_000, runs: quick ? 1 : Math.min(3, runs) });
  add(
    `lint ${sarif.documents.toLocaleString('en-US')} docs --format sarif`,
    `${sarif.sarifMs.toFixed(0)} ms vs --format json ${sarif.jsonMs.toFixed(0)} ms = ${sarif.ratio.toFixed(2)}× (every autofix as a replacement); peak RSS ${sarif.peakRssMb.toFixed(0)} MB`,
    'report',
  );
}

if (!quick) {
  const big = lintLarge({ documents: 200_000 });
  add(
    `lint ${big.documents.toLocaleString('en-US')} docs (one ${big.megabytes.toFixed(0)} MB dump)`,
    big.ok
      ? `completed in ${(big.lintMs / 1000).toFixed(1)} s, ${Math.round(big.docsPerSec).toLocaleString('en-US')} docs/s; peak RSS ${big.peakRssMb.toFixed(0)} MB`
      : `did not complete: ${big.error}`,
    'completes; RSS reported',
    big.ok,
  );
}

{
  // Hostile shapes (issue 20): peak RSS above a small lint's, per byte of input.
  const hostile = await hostileBenchmarks({ quick });
  for (const r of hostile.rows) {
    add(
      `lint ${r.label} (${r.megabytes.toFixed(1)} MB)`,
      `peak RSS ${r.peakRssMb.toFixed(0)} MB = baseline ${hostile.baselineMb.toFixed(0)} MB + ${r.ratio.toFixed(1)}× file size; ${(r.ms / 1000).toFixed(1)} s`,
      r.label.includes('List') ? '≤ 8× + baseline' : '≤ 40× + baseline',
      r.ratio <= (r.label.includes('List') ? 8 : 40),
    );
  }
}

const peer = peerBenchmark({ documents: quick ? 1_000 : 5_000, runs: quick ? 1 : Math.min(3, runs) });
add(
  `peer: Spectral, ${peer.documents.toLocaleString('en-US')} docs`,
  `Spectral (3 rules) ${peer.spectralMs.toFixed(0)} ms vs negdoctor (all rules) ${peer.oursMs.toFixed(0)} ms = ${peer.ratio.toFixed(1)}× faster; findings ${peer.spectralFindings} vs ${peer.ourFindings} (Spectral unscoped)`,
  '≥ 10×',
  peer.ratio >= 10,
);

const LATENCY = 50;
const scales = quick ? [0.1, 1] : [0.1, 1, 5];
for (const scale of scales) {
  const r = await scanBenchmark({ scale, latencyMs: LATENCY, runs: scale >= 5 ? 1 : quick ? 1 : Math.min(3, runs) });
  const label = `scan ${scale}× (${r.size.services} svc, ${r.size.pods} pods, ${r.size.negs} NEGs, ${r.size.backendServices} BS)`;
  add(
    label,
    `${r.wallMs.toFixed(0)} ms vs bound ${r.boundMs} ms (max(kube ${r.bound.kubeRounds}, 2 + gcp ${r.bound.gcpRounds}) rounds × ${LATENCY} ms) = ${r.ratio.toFixed(2)}×`,
    scale === 1 ? '≤ 1.3× bound' : 'report',
    scale === 1 ? r.ratio <= 1.3 : undefined,
  );
  if (scale === 1) {
    const ok = r.requests.kube === r.requests.expectedKube && r.requests.gcp === r.requests.expectedGcp && r.requests.perObjectKube === 0;
    add(
      'scan 1× requests',
      `kube ${r.requests.kube} (plan ${r.requests.expectedKube}: version, kube-system, list pages), gcp ${r.requests.gcp} (plan ${r.requests.expectedGcp}: list pages + ${r.requests.negEndpoints} per NEG + ${r.requests.pairs} getHealth per backend-service NEG backend); per-object GETs ${r.requests.perObjectKube}`,
      'pages + per NEG/BS only',
      ok,
    );
    add('scan 1× peak RSS', `${r.peakRssMb.toFixed(0)} MB`, '≤ 400 MB', r.peakRssMb <= 400);
  }
}
logRows();
add('scan concurrency', `kube ${PLAN.kubeConcurrency} lists at a time, page ${PLAN.kubePageSize}; gcp ${PLAN.gcpConcurrency} calls at a time, page ${PLAN.gcpPageSize}`, 'bound input', undefined);

}

const width = (key) => Math.max(key.length, ...rows.map((r) => String(r[key]).length));
const cols = ['figure', 'value', 'target', 'result'];
const line = (r) => cols.map((c) => String(r[c]).padEnd(width(c))).join('  ');
console.log(line({ figure: 'figure', value: 'value', target: 'target', result: 'result' }));
console.log(cols.map((c) => '-'.repeat(width(c))).join('  '));
for (const r of rows) console.log(line(r));
