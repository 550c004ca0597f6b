/** What every reporter receives: the engine's result plus the facts about the run. */
import type { EngineResult } from '../engine.js';
import type { Rule } from '../model/rule-contract.js';
import type { Snapshot } from '../snapshot/types.js';
import type { SourceIndex } from '../collectors/manifests/source-index.js';

export interface Report {
  tool: { name: string; version: string };
  snapshot: Snapshot;
  result: EngineResult;
  rules: Rule[];
  /** Fingerprints of findings that a baseline already holds (they do not count toward the exit code). */
  baselined?: Set<string>;
  /** The parsed source files (lint): lets SARIF show each autofix as a text replacement. */
  sources?: SourceIndex;
  /** A scan of several clusters: each one, collected or not (findings then carry `cluster`). */
  clusters?: ClusterStatus[];
}

export interface ClusterStatus {
  /** The kube context, or projects/P/locations/L/clusters/C (fleet discovery). */
  cluster: string;
  collected: boolean;
  /** Why nothing could be collected, when it could not. */
  error?: string;
}

export interface RenderOptions {
  color: boolean;
  /** Only errors and the summary. */
  quiet?: boolean;
  /** Directory that file URIs are relative to (SARIF). */
  root?: string;
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  objects: number;
  files: number;
  rulesEvaluated: number;
}

export function summarize(report: Report): Summary {
  const count = (severity: string) => report.result.findings.filter((f) => f.severity === severity).length;
  return {
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
    objects: report.snapshot.objects.length,
    files: report.snapshot.inputs.files,
    rulesEvaluated: report.result.evaluated.length,
  };
}
