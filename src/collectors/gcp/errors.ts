/**
 * Classifying and describing failed Google API calls.
 *
 * With REST transport an HTTP error arrives as a GaxiosError: `status` is the
 * HTTP status, `message` the raw Google error body, `response.headers` a
 * fetch Headers object. Network failures carry a `code` such as ECONNRESET.
 */
import { isRetryableNetworkError, isRetryableStatus, parseRetryAfter, type RetryDecision } from '../retry.js';

/** A request that got no answer within the per-request timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The whole collection ran out of time; calls still pending or not yet started fail with this. */
export class CollectionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Google Cloud collection timed out after ${timeoutMs} ms`);
    this.name = 'CollectionTimeoutError';
  }
}

interface ErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; headers?: unknown };
}

export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  if (typeof e.status === 'number') return e.status;
  if (typeof e.response?.status === 'number') return e.response.status;
  return undefined;
}

function retryAfterOf(error: unknown): string | undefined {
  const headers = (error as ErrorShape | null)?.response?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get('retry-after') ?? undefined;
  const value = (headers as Record<string, unknown>)['retry-after'];
  return typeof value === 'string' ? value : undefined;
}

export function classifyGcpError(error: unknown): RetryDecision {
  if (error instanceof CollectionTimeoutError) return { retry: false };
  if (error instanceof RequestTimeoutError) return { retry: true };
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const afterMs = parseRetryAfter(retryAfterOf(error));
    return afterMs === undefined ? { retry: isRetryableStatus(status) } : { retry: isRetryableStatus(status), afterMs };
  }
  // A body cut short surfaces as a JSON syntax error from the decoder: the connection broke, try again.
  if (error instanceof SyntaxError) return { retry: true };
  return { retry: isRetryableNetworkError(error) };
}

/** The server's own message from a Google error body, when the error carries one. */
export function serverMessageOf(error: unknown): string | undefined {
  const message = (error as ErrorShape | null)?.message;
  if (typeof message !== 'string') return undefined;
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // Not a JSON body: the message is already prose.
  }
  return message;
}

/** A one-line description of a failed call that says what to do about it. */
export function describeGcpError(error: unknown, what: string, permission: string, resource: string): string {
  if (error instanceof CollectionTimeoutError) return `${what}: ${error.message}`;
  if (error instanceof RequestTimeoutError) return `${what}: ${error.message} (and no answer on retry)`;
  const status = httpStatusOf(error);
  const server = serverMessageOf(error);
  const said = server ? `: ${server}` : '';
  switch (status) {
    case undefined: {
      const code = (error as ErrorShape | null)?.code;
      return `${what}: ${typeof code === 'string' ? `${code} ` : ''}${server ?? String(error)}`;
    }
    case 401:
      return `${what}: HTTP 401, the credentials were rejected (expired or revoked access token?)${said}`;
    case 403:
      return `${what}: HTTP 403, permission ${permission} is missing on ${resource}; grant it (e.g. roles/compute.networkViewer or roles/container.clusterViewer)${said}`;
    case 404:
      return `${what}: HTTP 404, ${resource} not found${said}`;
    default:
      return `${what}: HTTP ${status}${said}`;
  }
}
