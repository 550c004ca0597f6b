/**
 * `.negdoctor.yaml`: found upward from the working directory (or given with
 * --config), validated with ajv against a schema built from the rule
 * registry, so a misspelt rule id or option is named in the error.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import type { Severity } from '../findings.js';
import type { Rule } from '../model/rule-contract.js';
import { defaultSettings, type Settings } from '../model/settings.js';
import { isRecord } from '../util/values.js';
import { isValidCidr } from '../analysis/firewall/address-ranges.js';

export const CONFIG_FILE_NAMES = ['.negdoctor.yaml', '.negdoctor.yml'];

export type RuleSetting = Severity | 'off' | { severity?: Severity; enabled?: boolean; options?: Record<string, unknown> };

export interface IgnoreEntry {
  rule?: string | string[];
  kind?: string;
  namespace?: string;
  name?: string;
  file?: string;
  reason?: string;
}

export interface ConfigFile {
  gkeVersion?: string;
  sharedVpc?: boolean;
  healthCheckRanges?: string[];
  healthCheckRangesIpv6?: string[];
  failOn?: Severity | 'never';
  rules?: Record<string, RuleSetting>;
  ignore?: IgnoreEntry[];
}

export interface EffectiveRuleConfig {
  enabled: boolean;
  severity?: Severity;
  options: Record<string, unknown>;
}

export interface Config {
  file?: string;
  settings: Settings;
  failOn?: Severity | 'never';
  ignore: IgnoreEntry[];
  rules: Map<string, EffectiveRuleConfig>;
}

export class ConfigError extends Error {}

const SEVERITIES = ['error', 'warning', 'info'];

/**
 * The config schema. Rule ids are checked with `propertyNames` and each
 * rule's options with a small schema of its own, compiled only for the rules
 * a config mentions: one big schema with a branch per rule costs hundreds of
 * milliseconds to compile on every run.
 */
function configSchema(rules: Rule[]): object {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      gkeVersion: { type: 'string', pattern: '^\\d+\\.\\d+' },
      sharedVpc: { type: 'boolean' },
      healthCheckRanges: { type: 'array', items: { type: 'string' }, minItems: 1 },
      healthCheckRangesIpv6: { type: 'array', items: { type: 'string' } },
      failOn: { enum: [...SEVERITIES, 'never'] },
      rules: {
        type: 'object',
        propertyNames: { enum: rules.map((r) => r.meta.id) },
        additionalProperties: {
          oneOf: [
            { enum: [...SEVERITIES, 'off'] },
            {
              type: 'object',
              additionalProperties: false,
              properties: { severity: { enum: SEVERITIES }, enabled: { type: 'boolean' }, options: { type: 'object' } },
            },
          ],
        },
      },
      ignore: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            rule: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            kind: { type: 'string' },
            namespace: { type: 'string' },
            name: { type: 'string' },
            file: { type: 'string' },
            reason: { type: 'string' },
          },
        },
      },
    },
  };
}

function optionsSchema(rule: Rule): object {
  return { type: 'object', additionalProperties: false, properties: rule.meta.options ?? {} };
}

/** Finds `.negdoctor.yaml` in `cwd` or the nearest parent directory. */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      try {
        if ((await fs.stat(candidate)).isFile()) return candidate;
      } catch {
        // not here; keep looking upward
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function loadConfig(rules: Rule[], explicit: string | undefined, cwd: string): Promise<Config> {
  const file = explicit ? path.resolve(cwd, explicit) : await findConfigFile(cwd);
  if (!file) return resolveConfig(rules, {}, undefined);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    // Silent: yaml would print a warning with a stack trace (process.emitWarning) for an unknown tag.
    const doc = parseDocument(text, { logLevel: 'silent', uniqueKeys: true });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      const where = problem.linePos ? ` (line ${problem.linePos[0].line}, column ${problem.linePos[0].col})` : '';
      const tag = /^Unresolved tag: (\S+)/.exec(problem.message);
      const what = tag ? `tag ${tag[1]!.replace(/^tag:yaml\.org,2002:/, '!!')} is not allowed; a config holds plain values` : problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new Error(`${what}${where}`);
    }
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError(`config ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return resolveConfig(rules, raw, file);
}

export function resolveConfig(rules: Rule[], raw: unknown, file: string | undefined): Config {
  // An absent or empty config is valid by construction: skip compiling a validator for it.
  if (!(isRecord(raw) && Object.keys(raw).length === 0)) validateConfig(rules, raw, file);
  const config = raw as ConfigFile;
  const settings = defaultSettings();
  if (config.gkeVersion) settings.gkeVersion = config.gkeVersion;
  if (config.sharedVpc !== undefined) settings.sharedVpc = config.sharedVpc;
  if (config.healthCheckRanges) settings.healthCheckRanges = config.healthCheckRanges;
  if (config.healthCheckRangesIpv6) settings.healthCheckRangesIpv6 = config.healthCheckRangesIpv6;
  const ruleConfigs = new Map<string, EffectiveRuleConfig>();
  for (const rule of rules) {
    const setting = config.rules?.[rule.meta.id];
    const effective: EffectiveRuleConfig = { enabled: true, options: { ...rule.meta.defaults } };
    if (setting === 'off') effective.enabled = false;
    else if (typeof setting === 'string') effective.severity = setting;
    else if (setting) {
      if (setting.enabled !== undefined) effective.enabled = setting.enabled;
      if (setting.severity) effective.severity = setting.severity;
      Object.assign(effective.options, setting.options ?? {});
    }
    ruleConfigs.set(rule.meta.id, effective);
  }
  return {
    ...(file ? { file } : {}),
    settings,
    ...(config.failOn ? { failOn: config.failOn } : {}),
    ignore: config.ignore ?? [],
    rules: ruleConfigs,
  };
}

function validateConfig(rules: Rule[], raw: unknown, file: string | undefined): void {
  // The schema is ours and tested: skip compiling the JSON Schema meta-schema to check it (~100 ms per run).
  // Required here, not imported: runs without a config file never load ajv.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  const validate = ajv.compile(configSchema(rules));
  const problems: string[] = [];
  if (!validate(raw)) problems.push(formatErrors(validate.errors ?? [], rules));
  const ruleSettings = isRecord(raw) && isRecord(raw.rules) ? raw.rules : {};
  for (const [id, setting] of Object.entries(ruleSettings)) {
    const rule = rules.find((r) => r.meta.id === id);
    if (!rule || !isRecord(setting) || setting.options === undefined) continue;
    const validateOptions = ajv.compile(optionsSchema(rule));
    if (!validateOptions(setting.options)) {
      const prefixed = (validateOptions.errors ?? []).map((e) => ({ ...e, instancePath: `/rules/${id}/options${e.instancePath}` }));
      problems.push(formatErrors(prefixed, rules));
    }
  }
  for (const key of ['healthCheckRanges', 'healthCheckRangesIpv6'] as const) {
    const ranges = isRecord(raw) && Array.isArray(raw[key]) ? (raw[key] as unknown[]) : [];
    for (const [i, range] of ranges.entries()) {
      if (typeof range === 'string' && !isValidCidr(range)) problems.push(`  ${key}.${i}: ${range} is not a CIDR range`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid config${file ? ` ${file}` : ''}:\n${problems.join('\n')}`);
}

/** ajv errors as lines that name the offending key ("rules.zone-spred-missing: unknown key"). */
function formatErrors(errors: ErrorObject[], rules: Rule[]): string {
  const lines = new Set<string>();
  for (const error of errors) {
    // oneOf branches repeat each other's errors; the summary line adds nothing.
    if (error.keyword === 'oneOf' || error.keyword === 'propertyNames') continue;
    const where = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.') || '(top level)';
    if (error.propertyName !== undefined) {
      const hint = closest(error.propertyName, rules.map((r) => r.meta.id));
      lines.add(`  ${where}.${error.propertyName}: unknown rule${hint ? ` (did you mean ${hint}?)` : ''}`);
    } else if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const hint = where === 'rules' ? closest(key, rules.map((r) => r.meta.id)) : undefined;
      lines.add(`  ${where === '(top level)' ? key : `${where}.${key}`}: unknown key${hint ? ` (did you mean ${hint}?)` : ''}`);
    } else if (error.keyword === 'enum') {
      lines.add(`  ${where}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`);
    } else {
      lines.add(`  ${where}: ${error.message}`);
    }
  }
  return [...lines].join('\n');
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
