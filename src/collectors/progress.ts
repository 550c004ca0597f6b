/**
 * Progress reporting shared by the live collectors (Kubernetes, Google
 * Cloud) and the ink view of `scan`. Every method is optional so a sink can
 * listen to just what it shows; collectors call them through `?.`.
 *
 * `resource` is a short human name of what is being listed, e.g. "pods" or
 * "backendconfigs.cloud.google.com".
 */
export interface CollectionProgress {
  onStart?(resource: string): void;
  onPage?(resource: string, itemsInPage: number): void;
  onRetry?(resource: string, attempt: number, delayMs: number, error: unknown): void;
  onError?(resource: string, message: string): void;
  onDone?(resource: string, total: number): void;
}

/** A sink that ignores everything. */
export const SILENT_PROGRESS: CollectionProgress = {};
