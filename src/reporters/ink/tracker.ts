/**
 * Collection progress as plain state, independent of ink: the collectors
 * report into `sink(section)`, the view renders `state()`. Kept apart from
 * the component so it can be tested (and reused) without a terminal.
 */
import type { CollectionProgress } from '../../collectors/progress.js';
import { visibleControls } from '../../util/control-chars.js';

export type Section = 'kube' | 'gcp';

export interface ResourceRow {
  section: Section;
  /** What is listed, as the collector names it ("pods", "firewalls", "backendconfigs.cloud.google.com"). */
  resource: string;
  status: 'running' | 'done' | 'error';
  pages: number;
  objects: number;
  retries: number;
  errors: number;
  /** The last error, one line. */
  message?: string;
}

export interface FinishedState {
  /** Brief collection errors, one line each. */
  errors: string[];
  cloudSkipped?: string | undefined;
}

export interface ProgressState {
  rows: ResourceRow[];
  elapsedMs: number;
  /** Set when collection is over (successfully or not). */
  finished?: FinishedState;
  /** False when the collection failed as a whole (exit 3 follows). */
  ok?: boolean;
}

export class ProgressTracker {
  private readonly rows = new Map<string, ResourceRow>();
  private finished: FinishedState | undefined;
  private ok: boolean | undefined;
  private readonly startedAt: number;

  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
  }

  sink(section: Section): CollectionProgress {
    return {
      onStart: (resource) => {
        const row = this.row(section, resource);
        if (row.status !== 'error') row.status = 'running';
      },
      onPage: (resource, items) => {
        const row = this.row(section, resource);
        row.pages++;
        row.objects += items;
      },
      onRetry: (resource) => {
        this.row(section, resource).retries++;
      },
      onError: (resource, message) => {
        const row = this.row(section, resource);
        row.errors++;
        row.status = 'error';
        row.message = visibleControls(message.replace(/\s+/g, ' '));
      },
      onDone: (resource, total) => {
        const row = this.row(section, resource);
        row.objects = Math.max(row.objects, total);
        if (row.status !== 'error') row.status = 'done';
      },
    };
  }

  finish(result: FinishedState | undefined): void {
    this.ok = result !== undefined;
    // What the view prints comes from API answers: one line each, controls escaped.
    this.finished = result ? { ...result, errors: result.errors.map(visibleControls), ...(result.cloudSkipped !== undefined ? { cloudSkipped: visibleControls(result.cloudSkipped) } : {}) } : { errors: [] };
  }

  state(): ProgressState {
    return {
      rows: [...this.rows.values()].map((r) => ({ ...r })),
      elapsedMs: this.clock() - this.startedAt,
      ...(this.finished ? { finished: this.finished, ok: this.ok ?? false } : {}),
    };
  }

  private row(section: Section, resource: string): ResourceRow {
    const key = `${section}\0${resource}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { section, resource: visibleControls(resource), status: 'running', pages: 0, objects: 0, retries: 0, errors: 0 };
      this.rows.set(key, row);
    }
    return row;
  }
}
