/**
 * What a container does before SIGTERM: the preStop hook forms Kubernetes
 * supports, and how long a sleep in them lasts.
 */
import { asArray, asCount, asRecord, type Rec } from '../util/values.js';

export type PreStop =
  | { kind: 'none' }
  /** A hook whose duration is known: the `sleep` action, `sleep N`, or a shell script that sleeps. */
  | { kind: 'sleep'; seconds: number; form: 'sleep-action' | 'exec-sleep' | 'shell-sleep'; path: Array<string | number> }
  /** A hook whose duration cannot be read from the manifest (httpGet, or exec without a sleep). */
  | { kind: 'opaque'; form: 'httpGet' | 'exec' | 'tcpSocket' | 'unknown'; path: Array<string | number> };

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'busybox']);

export function readPreStop(container: Rec): PreStop {
  const preStop = asRecord(asRecord(container.lifecycle)?.preStop);
  if (!preStop) return { kind: 'none' };
  const sleep = asRecord(preStop.sleep);
  if (sleep) {
    const seconds = asCount(sleep.seconds);
    if (seconds !== undefined) return { kind: 'sleep', seconds, form: 'sleep-action', path: ['lifecycle', 'preStop', 'sleep', 'seconds'] };
  }
  const exec = asRecord(preStop.exec);
  if (exec) {
    const command = asArray(exec.command).map((c) => (typeof c === 'number' ? String(c) : c)).filter((c): c is string => typeof c === 'string');
    const path = ['lifecycle', 'preStop', 'exec', 'command'];
    const seconds = commandSleepSeconds(command);
    if (seconds !== undefined) {
      return { kind: 'sleep', seconds: seconds.seconds, form: seconds.shell ? 'shell-sleep' : 'exec-sleep', path };
    }
    return { kind: 'opaque', form: 'exec', path };
  }
  if (preStop.httpGet !== undefined) return { kind: 'opaque', form: 'httpGet', path: ['lifecycle', 'preStop', 'httpGet'] };
  if (preStop.tcpSocket !== undefined) return { kind: 'opaque', form: 'tcpSocket', path: ['lifecycle', 'preStop', 'tcpSocket'] };
  return { kind: 'opaque', form: 'unknown', path: ['lifecycle', 'preStop'] };
}

function basename(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

/** `["sleep", "20"]`, `["/bin/sh", "-c", "sleep 20; nginx -s quit"]`, `["sleep 20"]` (a single string run by a shell-less exec still names sleep). */
export function commandSleepSeconds(command: string[]): { seconds: number; shell: boolean } | undefined {
  if (command.length === 0) return undefined;
  const program = basename(command[0]!);
  if (program === 'sleep') {
    const seconds = parseSleepArguments(command.slice(1));
    return seconds === undefined ? undefined : { seconds, shell: false };
  }
  if (SHELLS.has(program)) {
    let i = 1;
    if (program === 'busybox' && command[1] === 'sh') i = 2;
    const flagIndex = command.findIndex((c, j) => j >= i && /^-[a-z]*c[a-z]*$/.test(c));
    if (flagIndex < 0 || flagIndex + 1 >= command.length) return undefined;
    const seconds = scriptSleepSeconds(command[flagIndex + 1]!);
    return seconds === undefined ? undefined : { seconds, shell: true };
  }
  return undefined;
}

/** Total time of the `sleep` commands in a shell script run in sequence (`sleep 5 && nginx -s quit; sleep 10` → 15). */
export function scriptSleepSeconds(script: string): number | undefined {
  let total: number | undefined;
  for (const match of script.matchAll(/(?:^|[;&|\s(])(?:\/[\w/]*\/)?sleep((?:\s+[0-9.]+[smhd]?)+)(?=$|[\s;&|)])/g)) {
    const seconds = parseSleepArguments(match[1]!.trim().split(/\s+/));
    if (seconds !== undefined) total = (total ?? 0) + seconds;
  }
  return total;
}

/** GNU sleep: several arguments add up; suffixes s, m, h, d. */
function parseSleepArguments(args: string[]): number | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const arg of args) {
    const match = /^([0-9]+(?:\.[0-9]+)?)([smhd]?)$/.exec(arg);
    if (!match) return undefined;
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
    total += Number(match[1]) * unit;
  }
  return total;
}
