/** What went wrong with one call to the API server: described for people, classified for retries and for the unreachable check. */
import http from 'node:http';
import { ApiException } from '@kubernetes/client-node';
import { isRetryableNetworkError, isRetryableStatus, parseRetryAfter, type RetryDecision } from '../retry.js';
import { RequestTimeoutError, ScanAbortedError, TruncatedResponseError, type RawAnswer } from './http.js';

/** A failure of one HTTP call, described for humans and classified for the unreachable check. */
export interface CallFailure {
  message: string;
  status?: number;
  /** No usable HTTP answer (network error, timeout) or 401: what "unreachable" is made of. */
  noAnswer: boolean;
}

export function statusOf(failure: CallFailure): { status?: number } {
  return failure.status !== undefined ? { status: failure.status } : {};
}

/** The request never left: credentials (exec plugin, token file, client certificate) failed. Not retried. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** An ApiException plus the raw answer it came from (its `.body` is undefined on 401). */
class CallError extends Error {
  constructor(
    readonly cause: unknown,
    readonly answer: RawAnswer | undefined,
  ) {
    super(errorText(cause));
  }
}

export function withAnswer(error: unknown, answer: RawAnswer | undefined): unknown {
  return error instanceof ApiException ? new CallError(error, answer) : error;
}

export function parseBody(answer: RawAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    // Not JSON despite a 2xx: treat like a damaged answer (retryable, see isRetryableNetworkError's 'invalid-json').
    throw Object.assign(new Error(`the answer is not JSON (${answer.text.length} bytes, starts ${JSON.stringify(answer.text.slice(0, 40))})`), {
      type: 'invalid-json',
    });
  }
}

export function classify(error: unknown): RetryDecision {
  if (error instanceof ScanAbortedError || error instanceof CredentialsError) return { retry: false };
  const apiError = apiExceptionOf(error);
  if (apiError) {
    const headers = (apiError.headers ?? {}) as Record<string, string>;
    const retryAfter = parseRetryAfter(headers['retry-after'] ?? headers['Retry-After']);
    return { retry: isRetryableStatus(apiError.code), ...(retryAfter !== undefined ? { afterMs: retryAfter } : {}) };
  }
  if (error instanceof RequestTimeoutError || error instanceof TruncatedResponseError) return { retry: true };
  return { retry: isRetryableNetworkError(error) };
}

export function apiExceptionOf(error: unknown): ApiException<unknown> | undefined {
  if (error instanceof CallError && error.cause instanceof ApiException) return error.cause;
  if (error instanceof ApiException) return error;
  return undefined;
}

/** "403 Forbidden: pods is forbidden: User …" from the Status body; "connect ECONNREFUSED …" for network errors. */
export function describeFailure(error: unknown): CallFailure {
  const apiError = apiExceptionOf(error);
  if (apiError) {
    const answer = error instanceof CallError ? error.answer : undefined;
    const statusMessage = statusMessageOf(answer?.text ?? apiError.body);
    const head = `${apiError.code} ${http.STATUS_CODES[apiError.code] ?? ''}`.trim();
    return { message: statusMessage ? `${head}: ${statusMessage}` : head, status: apiError.code, noAnswer: apiError.code === 401 };
  }
  if (error instanceof ScanAbortedError) return { message: error.message, noAnswer: false };
  return { message: errorText(error), noAnswer: true };
}

export function statusMessageOf(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300) || undefined;
    }
  }
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
