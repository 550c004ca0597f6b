/**
 * Reading inputs within limits: bytes counted as they are read (a device or
 * FIFO has no size), only regular files from folders, and the size of one
 * YAML document checked before yaml builds its nodes.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * Files larger than this are not parsed. A `kubectl get … -A -o yaml` dump of a
 * large cluster (200,000 objects) is 70–90 MB; V8 cannot hold a string over
 * 512 MiB, and a lint costs roughly 20 bytes of memory per byte of YAML.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export function tooLarge(): string {
  return `input is over ${MAX_FILE_BYTES / 2 ** 20} MiB, the size limit; not parsed (split it, e.g. one \`kubectl get\` per kind)`;
}

/**
 * A file's bytes, counted as they are read (stat.size is 0 for devices and
 * FIFOs): over MAX_FILE_BYTES gives no data. A file `found` in a folder is
 * opened without blocking (a FIFO's open waits for a writer) and read only
 * when it is a regular file.
 */
export function readCapped(absolute: string, found: boolean): { data?: Buffer; special?: string } {
  if (found) {
    // A socket cannot be opened at all; the descriptor is checked again below (the file may change in between).
    const before = statSync(absolute);
    if (!before.isFile()) return { special: specialKind(before) };
  }
  const fd = openSync(absolute, found ? fsConstants.O_RDONLY | fsConstants.O_NONBLOCK : fsConstants.O_RDONLY);
  try {
    const stat = fstatSync(fd);
    if (found && !stat.isFile()) return { special: specialKind(stat) };
    if (stat.isFile() && stat.size > MAX_FILE_BYTES) return {};
    let buffer = Buffer.allocUnsafe(stat.isFile() ? stat.size + 1 : 1 << 16);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > MAX_FILE_BYTES) return {};
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_FILE_BYTES + 1));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return length > MAX_FILE_BYTES ? {} : { data: buffer.subarray(0, length) };
  } finally {
    closeSync(fd);
  }
}

function specialKind(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  return 'a special file';
}

/** yaml's cost grows with the nodes of one document: a document with more lines and flow items than this is refused. */
export const MAX_YAML_DOCUMENT_ITEMS = 1_000_000;

/** Lines plus commas of the largest document (documents split at lines starting with `---`): an upper estimate of its nodes. */
export function largestDocument(text: string): number {
  let largest = 0;
  let current = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2c) current++;
    else if (c === 0x0a) {
      current++;
      if (text.startsWith('---', i + 1)) {
        if (current > largest) largest = current;
        current = 0;
      }
    }
  }
  return Math.max(largest, current);
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}

/** Stops reading past the size limit: `cat /dev/zero | negdoctor lint -` ends with a message, not out of memory. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length > MAX_FILE_BYTES) {
      process.stdin.destroy();
      break;
    }
  }
  return Buffer.concat(chunks);
}
