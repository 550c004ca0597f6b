/**
 * Hostile file names in the CLI's stderr notices and in every format (issue
 * 20): a linted folder whose file and folder names hold a newline followed by
 * workflow commands, an OSC sequence and a carriage return. No line on stdout
 * or stderr may start a workflow command and no raw control character may
 * reach either stream.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/reporters/index.js';
import { runCli } from '../e2e/cli.js';

const HOSTILE = 'm\n::add-mask::secret\n::stop-commands::tok\u001b]0;owned\u0007\r##[add-mask]x';
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function check(stream: string, text: string): void {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (stream === 'github' && /^::(error|warning|notice) /.test(trimmed)) continue;
    expect(trimmed.startsWith('::'), `${stream}: ${JSON.stringify(line)}`).toBe(false);
    expect(line.includes('##['), `${stream}: ${JSON.stringify(line)}`).toBe(false);
  }
  expect(CONTROL.exec(text)?.[0], stream).toBeUndefined();
}

describe('hostile file names', () => {
  // A Helm template and an empty folder each give a notice naming the file; a broken manifest gives a finding.
  const dir = path.join(work, 'in');
  mkdirSync(dir);
  writeFileSync(path.join(dir, `${HOSTILE}.yaml`), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n');
  writeFileSync(path.join(dir, `${HOSTILE}-broken.yaml`), 'apiVersion: v1\nkind: Service\nmetadata: [\n');
  const empty = path.join(work, `${HOSTILE}-empty`);
  mkdirSync(empty);

  it('the notices on stderr name the files, one escaped line each', () => {
    const run = runCli(['lint', dir, empty, '--fail-on', 'never']);
    expect(run.stderr).toContain('skipped: Helm template syntax');
    expect(run.stderr).toContain('directory holds no .yaml');
    expect(run.stderr).toContain('\\n::add-mask::secret');
    check('stderr', run.stderr);
    check('text', run.stdout);
  });

  for (const format of FORMATS) {
    it(`--format ${format}: no workflow command, no raw control character`, () => {
      const run = runCli(['lint', dir, empty, '--fail-on', 'never', '--format', format]);
      expect(run.status).toBe(0);
      check(format, run.stdout);
      check('stderr', run.stderr);
    });
  }

  it('a usage error quoting a hostile argument is one escaped line', () => {
    const run = runCli(['lint', dir, '--format', HOSTILE]);
    expect(run.status).toBe(2);
    check('stderr', run.stderr);
  });
});
