/**
 * deploy/Dockerfile, built by Debian's podman and run. No image registry is
 * reachable here, so NODE_IMAGE is a stand-in for the official Node image made
 * from this machine's own Node: its binary with the shared libraries ldd
 * lists, npm, /bin/sh, /usr/bin/env, the CA bundle (NODE_EXTRA_CA_CERTS, as
 * the npm registry's TLS here needs it), /tmp and a `node` user (uid 1000).
 * The build's `npm ci` reads the npm registry, as `npm ci` does anywhere.
 *
 * `podman run` is refused in this sandbox (setrlimit), so the built image runs
 * the way a runtime would start it, by hand: `podman create` + `podman
 * export` gives its root filesystem, and chroot starts the image's Entrypoint
 * with its Env as its User.
 *
 * Cached between runs, outside the clone (NEGDOCTOR_CACHE_DIR, else
 * $XDG_CACHE_HOME/negdoctor, else ~/.cache/negdoctor): podman's vfs storage with
 * the stand-in imported (keyed on the Node version and the stand-in's recipe)
 * and the npm cache of the Dockerfile's RUN --mount=type=cache. The built image
 * is removed afterwards. The test prints the build time and image size.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, ROOT } from './repo-copy.js';

const havePodman = requireTool('podman', ['--version'], 'podman');
const isRoot = process.getuid?.() === 0;
if (havePodman && !isRoot) {
  // chroot and podman's vfs storage need root; CI runs as root.
  const message = 'the image test needs root (chroot)';
  if (process.env.CI === 'true') it('runs as root (CI=true)', () => expect.fail(message));
  else console.warn(`skipped: ${message}`);
}

const CACHE = path.join(process.env.NEGDOCTOR_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'negdoctor'), 'image-test');
const STAND_IN_PATHS = { node: '/usr/local/bin/node', npm: '/usr/local/lib/node_modules/npm', ca: '/etc/ssl/certs/ca-certificates.crt' };
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }> };

function sh(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: options.timeout ?? 600_000, ...options });
  if (run.error) throw run.error;
  return run;
}

function ok(command: string, args: string[], options: Parameters<typeof sh>[2] = {}): string {
  const run = sh(command, args, options);
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  return run.stdout;
}

/** The files of the machine's Node, npm, sh and env, with what they load. */
function standInFiles(): { node: string; npm: string; sh: string; env: string; libs: string[] } {
  const node = fs.realpathSync(process.execPath);
  const npm = path.resolve(path.dirname(fs.realpathSync(ok('sh', ['-c', 'command -v npm']).trim())), '..');
  const shell = fs.realpathSync('/bin/sh');
  const env = fs.realpathSync('/usr/bin/env');
  const libs = new Set<string>();
  for (const binary of [node, shell, env]) {
    for (const match of ok('ldd', [binary]).matchAll(/(\/\S+\.so[^\s]*)/g)) libs.add(match[1]!);
  }
  return { node, npm, sh: shell, env, libs: [...libs].sort() };
}

/** Writes the stand-in's root filesystem as a tarball (uncached: it takes well under a second). */
function standInTarball(dir: string): string {
  const files = standInFiles();
  const root = path.join(dir, 'rootfs');
  const put = (from: string, to: string) => {
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    fs.cpSync(from, path.join(root, to), { recursive: true, dereference: true });
  };
  put(files.node, STAND_IN_PATHS.node);
  put(files.npm, STAND_IN_PATHS.npm);
  fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(root, 'usr/local/bin/npm'));
  fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(root, 'usr/local/bin/npx'));
  put(files.sh, '/bin/sh');
  put(files.env, '/usr/bin/env');
  for (const lib of files.libs) put(lib, lib);
  put('/etc/ssl/certs/ca-certificates.crt', STAND_IN_PATHS.ca);
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(root, 'root'), { mode: 0o700 });
  fs.mkdirSync(path.join(root, 'home/node'), { recursive: true });
  fs.chownSync(path.join(root, 'home/node'), 1000, 1000);
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
  const tarball = path.join(dir, 'stand-in.tar');
  ok('tar', ['-C', root, '-cf', tarball, '.']);
  return tarball;
}

describe.runIf(havePodman && isRoot)('deploy/Dockerfile built with podman', () => {
  let tmp: string;
  let podman: (...args: string[]) => string;
  let podmanEnv: NodeJS.ProcessEnv;
  let base: string;
  let rootfs: string;
  let config: { User: string; Env: string[]; Entrypoint: string[]; WorkingDir: string; Cmd: string[] };
  let sizeBytes: number;
  let buildSeconds: number;
  const TAG = `localhost/negdoctor-image-test:${process.pid}`;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'negdoctor-image-'));
    fs.mkdirSync(path.join(CACHE, 'tmp'), { recursive: true });
    // TMPDIR: buildah keeps RUN --mount=type=cache directories under it (buildah-cache), so the npm cache is kept too.
    podmanEnv = { ...process.env, TMPDIR: path.join(CACHE, 'tmp') };
    // The run root is fixed too: podman's database records it with the storage.
    const global = ['--root', path.join(CACHE, 'storage'), '--runroot', path.join(CACHE, 'run'), '--storage-driver', 'vfs'];
    podman = (...args) => ok('podman', [...global, ...args], { env: podmanEnv, timeout: 900_000 });

    // The stand-in, imported once per Node version and recipe.
    const files = standInFiles();
    const recipe = createHash('sha256').update(standInTarball.toString()).update(JSON.stringify(files)).digest('hex').slice(0, 12);
    base = `localhost/negdoctor-node-stand-in:${process.versions.node}-${recipe}`;
    if (sh('podman', [...global, 'image', 'exists', base], { env: podmanEnv }).status !== 0) {
      // Stand-ins of other Node versions or recipes go: the cache keeps one.
      const others = podman('images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=localhost/negdoctor-node-stand-in').split('\n').filter(Boolean);
      if (others.length > 0) podman('rmi', '--force', ...others);
      const started = Date.now();
      podman(
        'import',
        '--change', `ENV PATH=/usr/local/bin:/usr/bin:/bin`,
        '--change', `ENV NODE_EXTRA_CA_CERTS=${STAND_IN_PATHS.ca}`,
        '--change', 'CMD ["node"]',
        standInTarball(tmp),
        base,
      );
      console.log(`image test: stand-in ${base} imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    const started = Date.now();
    podman('build', '--isolation', 'chroot', '--layers=false', '--build-arg', `NODE_IMAGE=${base}`, '-f', path.join(ROOT, 'deploy/Dockerfile'), '-t', TAG, ROOT);
    buildSeconds = (Date.now() - started) / 1000;
    const image = JSON.parse(podman('image', 'inspect', TAG))[0] as { Size: number; Config: typeof config };
    config = image.Config;
    sizeBytes = image.Size;
    const baseSize = (JSON.parse(podman('image', 'inspect', base))[0] as { Size: number }).Size;
    console.log(
      `image test: built in ${buildSeconds.toFixed(1)} s; image ${(sizeBytes / 1e6).toFixed(0)} MB (${((sizeBytes - baseSize) / 1e6).toFixed(0)} MB over the ${(baseSize / 1e6).toFixed(0)} MB base)`,
    );

    const exported = Date.now();
    const container = podman('create', TAG).trim();
    rootfs = path.join(tmp, 'image');
    fs.mkdirSync(rootfs);
    try {
      const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
      ok('bash', ['-o', 'pipefail', '-c', `podman ${global.map(q).join(' ')} export ${q(container)} | tar -C ${q(rootfs)} -xf -`], { env: podmanEnv });
    } finally {
      podman('rm', container);
    }
    console.log(`image test: created, exported and unpacked in ${((Date.now() - exported) / 1000).toFixed(1)} s`);
  }, 1_200_000);

  afterAll(() => {
    if (tmp && podmanEnv) sh('podman', ['--root', path.join(CACHE, 'storage'), '--runroot', path.join(CACHE, 'run'), '--storage-driver', 'vfs', 'rmi', '--force', TAG], { env: podmanEnv });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** chroot(8), found on this process's PATH (the image's PATH, which the run gets, has no sbin). */
  const CHROOT = ['/usr/sbin/chroot', '/usr/bin/chroot', '/sbin/chroot'].find((f) => fs.existsSync(f)) ?? 'chroot';

  /** Runs the image as a runtime would: its Entrypoint with these args, its Env only, as its User, from its WorkingDir. */
  function run(args: string[]) {
    const env = Object.fromEntries(config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const [program, ...rest] = config.Entrypoint;
    // chroot execs the Entrypoint inside the new root, looked up on the image's PATH.
    return sh(CHROOT, [`--userspec=${config.User}`, rootfs, program!, ...rest, ...args], {
      env: { ...env, METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9', NO_COLOR: '1' },
      timeout: 120_000,
    });
  }

  it('is configured to run negdoctor serve as a non-root user, with node itself as the entry point (no shell)', () => {
    expect(config.User).toBe('1000:1000');
    expect(config.Entrypoint).toEqual(['node', '/app/bin/negdoctor.js']);
    expect(config.Cmd).toEqual(['serve', '--listen=:8080']);
    expect(config.WorkingDir).toBe('/app');
    expect(config.Env).toContain('NODE_ENV=production');
  });

  it('holds the bundle, schemas/ and the production dependencies only', () => {
    const app = path.join(rootfs, 'app');
    expect(fs.readdirSync(app).sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json', 'schemas']);
    expect(fs.existsSync(path.join(app, 'dist/cli.js'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'schemas/report.schema.json'))).toBe(true);
    expect(fs.readdirSync(path.join(app, 'schemas/gke-gateway')).length).toBeGreaterThan(0);
    // Exactly the production part of package-lock.json: every package it needs, none only development needs.
    const entries = Object.entries(LOCK.packages).filter(([key]) => key.startsWith('node_modules/'));
    const missing = entries.filter(([key, e]) => !e.dev && !e.optional && !e.devOptional && !fs.existsSync(path.join(app, key))).map(([key]) => key);
    const devOnly = entries.filter(([key, e]) => e.dev && fs.existsSync(path.join(app, key))).map(([key]) => key);
    expect(missing).toEqual([]);
    expect(devOnly).toEqual([]);
    expect(entries.filter(([, e]) => e.dev).length).toBeGreaterThan(100); // the check above had something to find
    expect(fs.existsSync(path.join(app, 'node_modules/esbuild'))).toBe(false);
    // The build context kept node_modules, tests and sources out.
    expect(fs.existsSync(path.join(app, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'test'))).toBe(false);
  });

  it('answers --version as the non-root user', () => {
    const version = run(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe(`${PKG.version}\n`);
    expect(version.status).toBe(0);
  });

  it('scans the demo snapshot, and reads schemas/ for the Gateway policy rule', () => {
    fs.copyFileSync(path.join(ROOT, 'fixtures/demo/snapshot.json'), path.join(rootfs, 'tmp/snapshot.json'));
    const scan = run(['scan', '--snapshot', '/tmp/snapshot.json', '--format', 'json']);
    expect(scan.stderr).toBe('');
    const report = JSON.parse(scan.stdout) as { findings: Array<{ ruleId: string; severity: string }>; notEvaluated: Array<{ ruleId: string; reason: string }> };
    expect(report.findings.length).toBeGreaterThan(10);
    // The demo snapshot holds no load balancer logs: only the log rules lack their data.
    expect(report.notEvaluated.filter((n) => !/^gcp:(lb-request|health-check)-logs was not collected/.test(n.reason))).toEqual([]);
    expect(scan.status).toBe(1); // errors among the findings: --fail-on error

    fs.copyFileSync(path.join(ROOT, 'fixtures/rules/gateway-policy-invalid/fires/unknown-field-and-wrong-type.yaml'), path.join(rootfs, 'tmp/policy.yaml'));
    const lint = run(['lint', '/tmp/policy.yaml', '--format', 'json']);
    expect(lint.stderr).toBe('');
    const messages = (JSON.parse(lint.stdout) as { findings: Array<{ ruleId: string; message: string }> }).findings.filter((f) => f.ruleId === 'gateway-policy-invalid').map((f) => f.message);
    expect(messages.join('\n')).toMatch(/rejected by the GCPBackendPolicy schema/);
  });

  it('stays within its size budget: /app under 300 MB', () => {
    // Production node_modules (the Google Cloud clients are most of it), dist/ and schemas/.
    const appBytes = Number(ok('du', ['-sb', path.join(rootfs, 'app')]).split('\t')[0]);
    console.log(`image test: /app is ${(appBytes / 1e6).toFixed(0)} MB`);
    expect(appBytes).toBeLessThan(300e6);
  });
});
