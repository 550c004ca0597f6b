/**
 * What `gather --run DIR` may do to the filesystem, and what it keeps of the
 * gcloud answers. The bundle folder may be reached by a customer's colleague
 * from a shared checkout, so: DIR must be new or empty (no links planted in
 * it), every file is created, never opened if it exists (O_EXCL, no link
 * followed), every filesystem error is one line; names taken from API answers
 * are valid Google Cloud names before they reach a command line; and
 * credentials in gcloud answers are removed as a scan snapshot never holds
 * them (scan keeps only the fields rules read).
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../exit.js';
import { isRecord } from '../util/values.js';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EEXIST':
      return 'it already exists';
    case 'ENOENT':
      return 'no such file or folder';
    default:
      return ((error as Error).message ?? String(error)).split('\n')[0]!;
  }
}

/**
 * Creates DIR (and its parents) or accepts it when it is an empty folder.
 * Folder by folder rather than mkdir's recursive mode, which loops forever
 * under /proc (Node 20).
 */
export function prepareBundleDir(dir: string): void {
  const parts: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    parts.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const part of parts) {
    let stat;
    try {
      stat = statSync(part);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot create ${dir}: ${part}: ${reason(error)}`, EXIT.usage);
    }
    if (stat) {
      if (!stat.isDirectory()) throw new CliError(`cannot create ${dir}: ${part} is not a folder`, EXIT.usage);
      continue;
    }
    try {
      mkdirSync(part);
    } catch (error) {
      throw new CliError(`cannot create ${dir}: ${reason(error)}`, EXIT.usage);
    }
  }
  let entries: string[];
  try {
    if (lstatSync(dir).isSymbolicLink()) throw new CliError(`${dir} is a symbolic link; give gather --run a new or empty folder`, EXIT.usage);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${dir}: ${reason(error)}`, EXIT.usage);
  }
  if (entries.length > 0) {
    throw new CliError(`${dir} is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}); gather --run writes a new bundle into a new or empty folder`, EXIT.usage);
  }
}

/** Writes a new regular file in DIR: fails if anything (a file, a link) is already there. */
export function writeBundleFile(dir: string, name: string, text: string): void {
  if (name !== path.basename(name) || name === '.' || name === '..') throw new CliError(`refusing to write ${JSON.stringify(name)} outside ${dir}`, EXIT.internal);
  try {
    const fd = openSync(path.join(dir, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new CliError(`cannot write ${path.join(dir, name)}: ${reason(error)}`, EXIT.usage);
  }
}

/** RFC 1035 names (NEGs, backend services, networks), and zones and regions. */
const RESOURCE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Project ids, including domain-scoped ones (`example.com:my-project`). */
const PROJECT_ID = /^(?:[a-z0-9][-a-z0-9.]{0,61}[a-z0-9]:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/**
 * A name taken from an API answer, before it goes on a gcloud command line:
 * `--flags-file=/etc/passwd` as a "NEG name" would be read as a flag.
 */
export function apiName(value: unknown, kind: 'name' | 'project' = 'name'): string | undefined {
  if (typeof value !== 'string') return undefined;
  return (kind === 'project' ? PROJECT_ID : RESOURCE_NAME).test(value) ? value : undefined;
}

/**
 * Credentials in gcloud answers: `clusters describe/list` carry
 * masterAuth.clientKey, clientCertificate and password (basic auth and
 * client certificates of old clusters), node pools' metadata may hold
 * ssh-keys and startup scripts, backend services' IAP config an OAuth client
 * secret. Their values are replaced, the keys kept so that a reader sees
 * what was removed.
 */
const CREDENTIAL_KEYS = new Set(['clientKey', 'clientCertificate', 'password', 'username', 'oauth2ClientSecret', 'oauth2ClientSecretSha256', 'privateKey', 'token', 'accessToken', 'refreshToken', 'sshKeys', 'ssh-keys']);
export const REDACTED = '[redacted by negdoctor gather]';

export function redactGcloud(value: unknown, depth = 0): unknown {
  if (depth > 64) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactGcloud(value[i], depth + 1);
    return value;
  }
  if (!isRecord(value)) return value;
  for (const [key, v] of Object.entries(value)) {
    if (CREDENTIAL_KEYS.has(key) && v !== '' && v !== null && v !== undefined) {
      value[key] = REDACTED;
    } else if (key === 'metadata' && isRecord(v) && depth > 0 && !('name' in v)) {
      // Instance metadata of node configs (a Kubernetes-style `metadata` has a name): values may be keys or scripts.
      for (const k of Object.keys(v)) v[k] = REDACTED;
    } else {
      value[key] = redactGcloud(v, depth + 1);
    }
  }
  return value;
}
