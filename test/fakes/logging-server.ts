/**
 * A fake Cloud Logging API on 127.0.0.1: `POST /v2/entries:list` as the real
 * `@google-cloud/logging` client sends it over REST (fallback), with the
 * filter language subset negdoctor sends (AND, OR, parentheses, `=`, `>=`,
 * `<=`, `>`, `<`, `:` on dotted fields, `field=("a" OR "b")`), orderBy
 * timestamp, pageSize/pageToken paging, and Google-style errors.
 */
import { startHttpFake, type FakeServer, type LoggedRequest, type Reply } from './http-fake.js';
import { googleErrorBody, type RawResource } from './gcp-server.js';

export interface LoggingFake extends FakeServer {
  entries: RawResource[];
  /** Value for CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING. */
  endpoint: string;
  /** The entries.list request bodies received. */
  lists: Array<{ resourceNames?: string[]; filter?: string; orderBy?: string; pageSize?: number; pageToken?: string }>;
}

export async function startLoggingFake(entries: RawResource[], options: { maxPageSize?: number } = {}): Promise<LoggingFake> {
  const lists: LoggingFake['lists'] = [];
  const state = { entries };
  const server = await startHttpFake((req) => route(state.entries, req, lists, options.maxPageSize ?? 1000));
  return Object.assign(server, {
    lists,
    endpoint: `${server.url}/`,
    get entries() {
      return state.entries;
    },
    set entries(value: RawResource[]) {
      state.entries = value;
    },
  }) as LoggingFake;
}

function route(entries: RawResource[], req: LoggedRequest, lists: LoggingFake['lists'], maxPageSize: number): Reply {
  if (req.method !== 'POST' || req.path !== '/v2/entries:list') return { status: 404, body: googleErrorBody(404, `no route ${req.method} ${req.path}`) };
  const body = JSON.parse(req.body ?? '{}') as LoggingFake['lists'][number];
  lists.push(body);
  let matcher: (e: RawResource) => boolean;
  try {
    matcher = body.filter ? compile(body.filter) : () => true;
  } catch (error) {
    return { status: 400, body: googleErrorBody(400, `Invalid filter: ${(error as Error).message}`) };
  }
  const projects = (body.resourceNames ?? []).map((r) => r.replace(/^projects\//, ''));
  const matching = entries.filter((e) => projects.some((p) => String(e.logName ?? '').startsWith(`projects/${p}/`)) && matcher(e));
  const desc = /timestamp desc/i.test(body.orderBy ?? '');
  matching.sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : String(a.timestamp) > String(b.timestamp) ? 1 : 0) * (desc ? -1 : 1));
  const start = Number(body.pageToken ?? 0);
  const size = Math.min(maxPageSize, body.pageSize ?? 50);
  const page = matching.slice(start, start + size);
  const next = start + size < matching.length ? String(start + size) : undefined;
  return { status: 200, body: { entries: page, ...(next ? { nextPageToken: next } : {}) } };
}

// ---------------------------------------------------------------- filters

type Token = { kind: 'word' | 'string' | 'op' | '(' | ')'; text: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(>=|<=|!=|=|>|<|:)|([^\s()=<>:!"]+))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1]) out.push({ kind: '(', text: '(' });
    else if (m[2]) out.push({ kind: ')', text: ')' });
    else if (m[3]) out.push({ kind: 'string', text: JSON.parse(m[3]) as string });
    else if (m[4]) out.push({ kind: 'op', text: m[4] });
    else if (m[5]) out.push({ kind: 'word', text: m[5] });
    if (/^\s*$/.test(text.slice(re.lastIndex))) break;
  }
  return out;
}

function valueAt(entry: RawResource, path: string): unknown {
  let v: unknown = entry;
  for (const seg of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

function compare(actual: unknown, op: string, expected: string): boolean {
  if (actual === undefined || actual === null) return false;
  const a = typeof actual === 'number' ? actual : String(actual);
  const e = typeof actual === 'number' ? Number(expected) : expected;
  switch (op) {
    case '=':
      return a === e;
    case '!=':
      return a !== e;
    case ':':
      return String(actual).includes(expected);
    case '>=':
      return a >= e;
    case '<=':
      return a <= e;
    case '>':
      return a > e;
    case '<':
      return a < e;
    default:
      throw new Error(`operator ${op}`);
  }
}

function compile(filter: string): (e: RawResource) => boolean {
  const tokens = tokenize(filter);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (kind: Token['kind']) => {
    const t = tokens[i++];
    if (!t || t.kind !== kind) throw new Error(`expected ${kind} at token ${i}`);
    return t;
  };
  const orExpr = (): ((e: RawResource) => boolean) => {
    const parts = [andExpr()];
    while (peek()?.kind === 'word' && peek()!.text === 'OR') {
      i++;
      parts.push(andExpr());
    }
    return (e) => parts.some((p) => p(e));
  };
  const andExpr = (): ((e: RawResource) => boolean) => {
    const parts = [atom()];
    while (peek() && peek()!.kind !== ')' && !(peek()!.kind === 'word' && peek()!.text === 'OR')) {
      if (peek()!.kind === 'word' && peek()!.text === 'AND') i++;
      parts.push(atom());
    }
    return (e) => parts.every((p) => p(e));
  };
  const atom = (): ((e: RawResource) => boolean) => {
    if (peek()?.kind === '(') {
      i++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    const field = expect('word').text;
    const op = expect('op').text;
    const values: string[] = [];
    if (peek()?.kind === '(') {
      i++;
      values.push(literal());
      while (peek()?.kind === 'word' && peek()!.text === 'OR') {
        i++;
        values.push(literal());
      }
      expect(')');
    } else values.push(literal());
    return (e) => values.some((v) => compare(valueAt(e, field), op, v));
  };
  const literal = () => {
    const t = tokens[i++];
    if (!t || (t.kind !== 'string' && t.kind !== 'word')) throw new Error(`expected a value at token ${i}`);
    return t.text;
  };
  const out = orExpr();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]!.text}`);
  return out;
}
