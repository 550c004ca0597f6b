import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectManifests, InputError, isHelmTemplate } from '../../src/collectors/manifests/index.js';

function tmpdir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-manifests-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n';

describe('manifest collector', () => {
  it('reads multi-document streams, directories recursively, and only manifest extensions', async () => {
    const dir = tmpdir({
      'a.yaml': `${SERVICE}---\n${SERVICE.replace('web', 'api')}`,
      'nested/deeper/b.yml': SERVICE.replace('web', 'deep'),
      'c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'json' } }),
      'notes.txt': SERVICE,
      '.github/deploy/d.yaml': SERVICE.replace('web', 'dotdir'),
      '.git/config.yaml': SERVICE,
      'node_modules/pkg/e.yaml': SERVICE,
    });
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.objects.map((o) => o.object.metadata.name).sort()).toEqual(['api', 'deep', 'dotdir', 'json', 'web']);
    expect(result.files).toEqual(['.github/deploy/d.yaml', 'a.yaml', 'c.json', 'nested/deeper/b.yml']);
    expect(result.objects.find((o) => o.object.metadata.name === 'api')).toMatchObject({ file: 'a.yaml', documentIndex: 1, line: 9, column: 1 });
  });

  it('unpacks kind: List and typed lists whose items lack apiVersion/kind', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }] };
    const podList = { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p' }, status: { phase: 'Running' } }] };
    const dir = tmpdir({ 'list.json': JSON.stringify(list, null, 2), 'pods.json': JSON.stringify(podList, null, 2) });
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['Service/a', 'Pod/p']);
    expect(result.objects[1]!.object.status).toEqual({ phase: 'Running' });
    expect(result.objects[0]!.base).toEqual(['items', 0]);
  });

  it('locates fields exactly, and falls back to the nearest existing parent', async () => {
    const dir = tmpdir({ 's.yaml': `# leading comment\n${SERVICE}` });
    const result = await collectManifests(['s.yaml'], { cwd: dir });
    expect(result.sources.locate(0, ['spec', 'ports', 0, 'port'])).toEqual({ file: 's.yaml', line: 8, column: 7, endLine: 8, endColumn: 15, exact: true });
    expect(result.sources.locate(0, ['spec', 'selector', 'app'])).toMatchObject({ line: 6, column: 1, exact: false });
  });

  it('turns a syntax error into a problem with its position and keeps reading the other documents', async () => {
    const dir = tmpdir({ 'bad.yaml': `${SERVICE}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: indent\n---\n${SERVICE.replace('web', 'after')}` });
    const result = await collectManifests(['bad.yaml'], { cwd: dir });
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['web', 'after']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ kind: 'syntax', file: 'bad.yaml', line: 12 });
  });

  it('skips Helm templates with a notice, and gives documents of no known type a notice each', async () => {
    const dir = tmpdir({
      'chart.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "app.fullname" . }}\n',
      'other.yaml': 'just: config\n---\n- a\n- list\n---\nplain scalar\n',
    });
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.skippedFiles).toBe(1);
    expect(result.notices[0]!.message).toMatch(/helm template/);
    // Neither Kubernetes nor Google Cloud: counted, and one notice per document says what to do.
    expect(result.foreign).toHaveLength(0);
    expect(result.unrecognized).toBe(4);
    expect(result.notices.slice(1).map((n) => n.message)).toEqual([
      expect.stringMatching(/^document 1: neither a Kubernetes object .*state its type/),
      expect.stringMatching(/^document 2 at 0: not an object; skipped \(and 1 more item of this document\)$/),
      expect.stringMatching(/^document 3: not an object; skipped$/),
    ]);
    expect(result.objects).toHaveLength(0);
  });

  it('says once per file that pre-GA networking.x-k8s.io Gateway objects are not evaluated', async () => {
    const dir = tmpdir({
      'old.yaml': 'apiVersion: networking.x-k8s.io/v1alpha1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  gatewayClassName: gke-l7-gxlb\n---\napiVersion: networking.x-k8s.io/v1alpha1\nkind: HTTPRoute\nmetadata:\n  name: r\n',
      'new.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  gatewayClassName: gke-l7-gxlb\n',
    });
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.notices).toEqual([{ file: 'old.yaml', message: expect.stringMatching(/^2 objects of the pre-GA Gateway API networking\.x-k8s\.io, which GKE no longer serves, not evaluated/) }]);
  });

  it('does not mistake template braces inside strings for Helm', () => {
    expect(isHelmTemplate('annotations:\n  summary: "{{ $labels.instance }} is down"\n')).toBe(false);
    expect(isHelmTemplate('replicas: {{ .Values.replicas }}\n')).toBe(true);
  });

  it('reports binary files, invalid UTF-8 and alias bombs as problems, never throws', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const dir = tmpdir({
      'bin.yaml': Buffer.from([0, 1, 2, 3, 0x61]),
      'latin1.yaml': Buffer.from('apiVersion: v1\nkind: Service\nmetadata:\n  name: caf\xe9\n', 'latin1'),
      'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${bomb.map((l) => `  ${l}`).join('\n')}\n`,
      'deep.yaml': `a: ${'['.repeat(20000)}${']'.repeat(20000)}\n`,
    });
    const result = await collectManifests([dir], { cwd: dir });
    const byFile = Object.fromEntries(result.problems.map((p) => [p.file, p]));
    expect(byFile['bin.yaml']!.message).toMatch(/binary/);
    expect(byFile['latin1.yaml']!.message).toMatch(/UTF-8/);
    expect(byFile['bomb.yaml']!.message).toMatch(/alias/i);
    expect(byFile['deep.yaml']).toBeDefined();
    expect(result.objects).toHaveLength(0);
  });

  it('reads a 10 MB document', async () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', 'data:'];
    for (let i = 0; i < 95_000; i++) lines.push(`  k${i}: "${'x'.repeat(100)}"`);
    const dir = tmpdir({ 'big.yaml': `${lines.join('\n')}\n` });
    const result = await collectManifests(['big.yaml'], { cwd: dir });
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.objects[0]!.object.data as object)).toHaveLength(95_000);
  });

  it('does not parse a file over 256 MiB, says so, and reads the others', async () => {
    const dir = tmpdir({ 'ok.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n' });
    // Sparse: the size without the disk space.
    writeFileSync(path.join(dir, 'huge.yaml'), '');
    truncateSync(path.join(dir, 'huge.yaml'), 256 * 1024 * 1024 + 1);
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.problems).toEqual([{ kind: 'resource-limit', file: 'huge.yaml', message: 'input is over 256 MiB, the size limit; not parsed (split it, e.g. one `kubectl get` per kind)' }]);
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['a']);
  });

  it('reads stdin for -', async () => {
    const result = await collectManifests(['-'], { readStdin: async () => Buffer.from(SERVICE) });
    expect(result.objects[0]).toMatchObject({ file: '<stdin>', line: 1 });
  });

  it('throws an InputError for a path that does not exist, but records an unreadable file inside a directory', async () => {
    await expect(collectManifests(['/nonexistent/negdoctor'])).rejects.toBeInstanceOf(InputError);
    const dir = tmpdir({ 'ok.yaml': SERVICE });
    symlinkSync(path.join(dir, 'missing-target.yaml'), path.join(dir, 'dangling.yaml'));
    const result = await collectManifests([dir], { cwd: dir });
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'unreadable', file: 'dangling.yaml' })]);
    expect(result.objects).toHaveLength(1);
  });
});
