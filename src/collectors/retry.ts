/**
 * Retry with exponential backoff for list calls against the Kubernetes and
 * Google Cloud APIs. 429 and 5xx are retried (honouring Retry-After), as are
 * connection resets; anything else fails at once.
 */
export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

export interface RetryDecision {
  retry: boolean;
  /** Server-requested delay (Retry-After), in ms. */
  afterMs?: number;
}

export interface RetryHooks {
  onRetry?(attempt: number, delayMs: number, error: unknown): void;
  signal?: AbortSignal;
}

export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const decision = classify(error);
      if (!decision.retry || attempt >= policy.retries || hooks.signal?.aborted) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const delay = Math.min(policy.maxDelayMs, Math.max(decision.afterMs ?? 0, backoff));
      hooks.onRetry?.(attempt + 1, delay, error);
      await sleep(delay, hooks.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parse a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether a network-level error (no HTTP status) is worth retrying. */
export function isRetryableNetworkError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    const type = (e as { type?: unknown }).type;
    if (type === 'system' || type === 'invalid-json') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
