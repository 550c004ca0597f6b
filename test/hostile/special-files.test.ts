/**
 * Issue 20, item 5: a linted folder may hold links to devices, FIFOs and
 * sockets (a pull request can commit them). They are skipped with a notice;
 * reads are capped by the bytes actually read, not by stat.size.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { runCli } from '../e2e/cli.js';

let dir: string;
let server: net.Server;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nd-special-'));
  mkdirSync(path.join(dir, 'repo'));
  writeFileSync(path.join(dir, 'repo', 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n');
  symlinkSync('/dev/zero', path.join(dir, 'repo', 'zero.yaml'));
  symlinkSync('/dev/urandom', path.join(dir, 'repo', 'random.json'));
  execFileSync('mkfifo', [path.join(dir, 'repo', 'pipe.yaml')]);
  execFileSync('mkfifo', [path.join(dir, 'fifo-target')]);
  symlinkSync(path.join(dir, 'fifo-target'), path.join(dir, 'repo', 'linked-pipe.yml'));
  server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'repo', 'sock.yaml'), resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('special files in a linted folder', () => {
  it('skips devices, FIFOs, sockets and links to them with a notice, and reads the rest', async () => {
    const result = await collectManifests(['repo'], { cwd: dir });
    expect(result.objects.map((o) => o.object.kind)).toEqual(['Service']);
    expect(result.skippedFiles).toBe(5);
    const notices = result.notices.map((n) => `${n.file}: ${n.message}`);
    expect(notices).toEqual(
      expect.arrayContaining([
        'repo/zero.yaml: skipped: not a regular file (a character device); name it on the command line to read it',
        'repo/random.json: skipped: not a regular file (a character device); name it on the command line to read it',
        'repo/pipe.yaml: skipped: not a regular file (a FIFO); name it on the command line to read it',
        'repo/linked-pipe.yml: skipped: not a regular file (a FIFO); name it on the command line to read it',
        'repo/sock.yaml: skipped: not a regular file (a socket); name it on the command line to read it',
      ]),
    );
  }, 20_000);

  it('the CLI finishes on such a folder (no hang, no unbounded read)', () => {
    const run = runCli(['lint', path.join(dir, 'repo'), '--format', 'json', '--fail-on', 'never']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).summary).toBeDefined();
  }, 60_000);

  it('a device named on the command line is read up to the size limit, counted in bytes read', async () => {
    const result = await collectManifests(['/dev/zero'], { cwd: dir });
    expect(result.problems).toEqual([{ kind: 'resource-limit', file: '/dev/zero', message: 'input is over 256 MiB, the size limit; not parsed (split it, e.g. one `kubectl get` per kind)' }]);
  }, 60_000);
});
