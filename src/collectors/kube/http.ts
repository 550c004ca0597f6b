/**
 * The HTTP library the collector hands to @kubernetes/client-node per call.
 *
 * Why not the library's default (node-fetch 2): measured against the fake
 * server, a response whose connection closes mid-body never settles with
 * node-fetch 2 — the call hangs until something aborts it — and the typed
 * deserializer turns timestamps into Date objects and drops fields the
 * client's models do not know. This library sends the request the client
 * prepared (URL, auth headers set by the kubeconfig loader including exec
 * plugins, the TLS/proxy agent) with node:http(s), enforces a per-request
 * timeout and the scan's abort signal, turns a truncated body into a
 * retryable error, and keeps the raw JSON text so the collector stores
 * objects exactly as the API server sent them.
 */
import http from 'node:http';
import https from 'node:https';
import { Observable, ResponseContext, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

/** The last answer seen by one call: the collector reads its body instead of the typed result. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface CallState {
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** The whole scan's signal. */
  signal: AbortSignal;
  /** Counts HTTP requests sent (shared by every call of a scan). */
  counter: { requests: number };
  /** Set once the client library handed the request over: an error before that came from preparing it (credentials). */
  sent?: boolean;
  answer?: RawAnswer;
}

/** No answer (headers and whole body) within the per-request timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms (request timeout)`);
    this.name = 'RequestTimeoutError';
  }
}

/** The connection closed before the announced body arrived. */
export class TruncatedResponseError extends Error {
  readonly code = 'ECONNRESET';
  constructor(received: number, expected: number | undefined) {
    super(`response truncated: connection closed after ${received}${expected !== undefined ? ` of ${expected}` : ''} bytes`);
    this.name = 'TruncatedResponseError';
  }
}

/** The whole scan ran out of time (or was cancelled). */
export class ScanAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanAbortedError';
  }
}

export class RawHttpLibrary implements HttpLibrary {
  constructor(private readonly state: CallState) {}

  send(request: RequestContext): Observable<ResponseContext> {
    return new Observable(this.sendRaw(request));
  }

  private async sendRaw(request: RequestContext): Promise<ResponseContext> {
    this.state.sent = true;
    const answer = await sendRequest(request, this.state);
    this.state.answer = answer;
    // The collector reads a 2xx body from state.answer and never uses the client's typed result, so
    // the client gets an empty object to decode: its deserializer walked every pod and slice of a
    // large cluster a second time for nothing. Error bodies still reach it (ApiException messages).
    const text = answer.status >= 200 && answer.status < 300 ? '{}' : answer.text;
    return new ResponseContext(answer.status, answer.headers, {
      text: () => Promise.resolve(text),
      binary: () => Promise.resolve(Buffer.from(text)),
    });
  }
}

function sendRequest(request: RequestContext, state: CallState): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    if (state.signal.aborted) {
      reject(abortReason(state.signal));
      return;
    }
    const url = new URL(request.getUrl());
    const transport = url.protocol === 'http:' ? http : https;
    const agent = request.getAgent();
    const headers: Record<string, string> = { ...request.getHeaders(), accept: 'application/json' };
    state.counter.requests++;
    let settled = false;
    const finish = (error: Error | undefined, answer?: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      state.signal.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else {
        resolve(answer!);
      }
    };
    const onAbort = () => finish(abortReason(state.signal));
    const timer = setTimeout(() => finish(new RequestTimeoutError(state.timeoutMs)), state.timeoutMs);
    state.signal.addEventListener('abort', onAbort, { once: true });

    const req = transport.request(url, { method: request.getHttpMethod().toString(), headers, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const expectedHeader = res.headers['content-length'];
      const expected = expectedHeader !== undefined ? Number(expectedHeader) : undefined;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
      });
      res.on('end', () => {
        if (!res.complete) return finish(new TruncatedResponseError(received, expected));
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        finish(undefined, { status: res.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', () => finish(new TruncatedResponseError(received, expected)));
      res.on('close', () => {
        if (!res.complete) finish(new TruncatedResponseError(received, expected));
      });
    });
    req.on('error', (error) => finish(error));
    const body = request.getBody();
    if (typeof body === 'string' || body instanceof Buffer) req.end(body);
    else req.end();
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ScanAbortedError('the scan was cancelled');
}
