/**
 * Peer comparison: Spectral with bench/spectral-ruleset.yaml (three of our
 * rules, as close as Spectral allows) against negdoctor lint with all its
 * rules, on the same documents. Spectral lints one YAML document per file,
 * so both get the corpus split into single-document files.
 */
import { mkdirSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { BIN, ROOT, generateCorpus, measure } from './lint.mjs';

const SPECTRAL = path.join(ROOT, 'node_modules/@stoplight/spectral-cli/dist/index.js');

export function splitCorpus(documents) {
  const source = generateCorpus(documents);
  const dir = path.join(ROOT, '.bench', `split-${documents}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const f of readdirSync(source).sort()) {
    const text = readFileSync(path.join(source, f), 'utf8');
    for (const doc of parseAllDocuments(text, { lineCounter: new LineCounter() })) {
      if (!doc.range) continue;
      writeFileSync(path.join(dir, `doc-${String(n++).padStart(6, '0')}.yaml`), text.slice(doc.range[0], doc.range[2]));
    }
  }
  return dir;
}

export function peerBenchmark({ documents, runs }) {
  const dir = splitCorpus(documents);
  const ruleset = path.join(ROOT, 'bench/spectral-ruleset.yaml');
  const spectral = measure(process.execPath, [SPECTRAL, 'lint', '--ruleset', ruleset, '--format', 'json', '--output', path.join(ROOT, '.bench/spectral.json'), '--quiet', '--fail-severity', 'error', `${dir}/*.yaml`], runs, { okStatus: [0, 1] });
  const ours = measure(process.execPath, [BIN, 'lint', dir, '--format', 'json', '--output', path.join(ROOT, '.bench/peer-out.json'), '--fail-on', 'never'], runs);
  const spectralFindings = JSON.parse(readFileSync(path.join(ROOT, '.bench/spectral.json'), 'utf8')).length;
  const ourFindings = JSON.parse(readFileSync(path.join(ROOT, '.bench/peer-out.json'), 'utf8')).findings.length;
  return { documents, spectralMs: spectral.ms, oursMs: ours.ms, ratio: spectral.ms / ours.ms, spectralFindings, ourFindings };
}
