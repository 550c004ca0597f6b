/**
 * The machinery every Google Cloud call goes through: a concurrency bound, a
 * timeout per request, retries (gax's own are off), pagination, and the
 * bookkeeping of what each data key came to (collected, missing, error).
 */
import pLimit from 'p-limit';
import type { CollectionError, DataAvailability } from '../../snapshot/types.js';
import type { CollectionProgress } from '../progress.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import type { CancellablePromise, GaxCallOptions, PagedAnswer, RawObject } from './clients.js';
import { classifyGcpError, describeGcpError, httpStatusOf, RequestTimeoutError } from './errors.js';
import type { Operation } from './operations.js';

/** How the calls of one collection are paced and paged. */
export interface CallLimits {
  /** Budget for one HTTP request (each retry gets its own), in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** maxResults of list calls. Default 500 (the API's maximum). */
  pageSize?: number;
}

/** gax's own pagination and retries are off: Session pages and retries (retry.ts), so it can count and bound every request. */
export const CALL: GaxCallOptions = { autoPaginate: false, retry: null };

/** Bookkeeping shared by all calls: limits, retries, timeouts, counts, errors. */
export class Session {
  requests = 0;
  readonly errors: CollectionError[] = [];
  readonly data: Record<string, DataAvailability> = {};
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly requestTimeoutMs: number;
  private readonly policy: RetryPolicy;
  readonly pageSize: number;

  constructor(
    limits: CallLimits,
    readonly progress: CollectionProgress,
    readonly signal: AbortSignal,
  ) {
    this.limit = pLimit(Math.max(1, limits.concurrency ?? 8));
    this.requestTimeoutMs = limits.requestTimeoutMs ?? 30_000;
    this.policy = limits.retry ?? DEFAULT_RETRY;
    this.pageSize = Math.min(500, Math.max(1, limits.pageSize ?? 500));
  }

  /** One API call with concurrency bound, per-request timeout and retries. */
  call<T>(resource: string, invoke: () => CancellablePromise<T>): Promise<T> {
    return withRetry(
      () =>
        this.limit(() => {
          if (this.signal.aborted) throw this.signal.reason;
          this.requests++;
          return withTimeout(invoke(), this.requestTimeoutMs, this.signal);
        }),
      classifyGcpError,
      this.policy,
      { signal: this.signal, onRetry: (attempt, delayMs, error) => this.progress.onRetry?.(resource, attempt, delayMs, error) },
    );
  }

  /** Every page of a list call; `items` picks a page's resources out of the raw answer. */
  async listAll(
    resource: string,
    page: (pageToken: string | undefined) => CancellablePromise<PagedAnswer>,
    items: (answer: RawObject) => unknown[],
    announce = true,
  ): Promise<unknown[]> {
    if (announce) this.progress.onStart?.(resource);
    const all: unknown[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const [, , answer] = await this.call(resource, () => page(token));
      const pageItems = items(answer ?? {});
      all.push(...pageItems);
      this.progress.onPage?.(resource, pageItems.length);
      const next = answer?.nextPageToken;
      token = typeof next === 'string' && next !== '' ? next : undefined;
      // A server that hands out the same token twice would loop forever.
      if (token !== undefined && seen.has(token)) throw new Error(`${resource}: the server repeated page token ${token}`);
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
    if (announce) this.progress.onDone?.(resource, all.length);
    return all;
  }

  fail(key: string, resource: string, op: Operation, target: string, error: unknown): string {
    const message = describeGcpError(error, op.what, op.permission, target);
    const status = httpStatusOf(error);
    this.errors.push({ source: 'gcp', data: key, message, ...(status !== undefined ? { status } : {}) });
    this.data[key] = { state: 'error', reason: message };
    this.progress.onError?.(resource, message);
    return message;
  }

  collected(key: string, reason?: string): void {
    if (this.data[key]?.state === 'error') return;
    this.data[key] = reason ? { state: 'collected', reason } : { state: 'collected' };
  }

  missing(key: string, reason: string): void {
    if (!this.data[key]) this.data[key] = { state: 'missing', reason };
  }
}

export function listItems(answer: RawObject): unknown[] {
  return Array.isArray(answer.items) ? answer.items : [];
}

/** The resources of an aggregated list page: `items` maps a scope ("zones/us-central1-a") to `{<listKey>: [...]}`. */
export function aggregatedItems(answer: RawObject, listKey: string): unknown[] {
  const scopes = answer.items;
  if (!scopes || typeof scopes !== 'object') return [];
  return Object.values(scopes as Record<string, RawObject>).flatMap((scope) => {
    const list = scope?.[listKey];
    return Array.isArray(list) ? list : [];
  });
}

/** Settles with the call, the per-request timeout or the collection's deadline, whichever comes first; the loser is cancelled. */
function withTimeout<T>(call: CancellablePromise<T>, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      call.cancel?.();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      cleanup();
      call.cancel?.();
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
