import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config/config.js';
import { RULES } from '../src/rules/index.js';

const resolve = (raw: unknown) => resolveConfig(RULES, raw, '.negdoctor.yaml');

describe('.negdoctor.yaml', () => {
  it('accepts an empty config with the defaults', () => {
    const config = resolve({});
    expect(config.settings.healthCheckRanges).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
    expect(config.rules.get('termination-grace-period-short')).toEqual({ enabled: true, options: { minSeconds: 60 } });
  });

  it('applies severities, off, options and settings', () => {
    const config = resolve({
      gkeVersion: '1.29.4-gke.1043000',
      healthCheckRanges: ['130.211.0.0/22'],
      rules: {
        'zone-spread-missing': 'off',
        'single-replica-backend': 'error',
        'termination-grace-period-short': { severity: 'info', options: { minSeconds: 90 } },
      },
    });
    expect(config.settings.gkeVersion).toBe('1.29.4-gke.1043000');
    expect(config.settings.healthCheckRanges).toEqual(['130.211.0.0/22']);
    expect(config.rules.get('zone-spread-missing')!.enabled).toBe(false);
    expect(config.rules.get('single-replica-backend')!.severity).toBe('error');
    expect(config.rules.get('termination-grace-period-short')).toEqual({ enabled: true, severity: 'info', options: { minSeconds: 90 } });
  });

  it.each([
    [{ rules: { 'zone-spred-missing': 'off' } }, 'rules.zone-spred-missing: unknown rule (did you mean zone-spread-missing?)'],
    [{ rulez: {} }, 'rulez: unknown key'],
    [{ rules: { 'termination-grace-period-short': { options: { minSecond: 90 } } } }, 'rules.termination-grace-period-short.options.minSecond: unknown key'],
    [{ rules: { 'termination-grace-period-short': { options: { minSeconds: 'ninety' } } } }, 'rules.termination-grace-period-short.options.minSeconds: must be integer'],
    [{ rules: { 'single-replica-backend': 'fatal' } }, 'rules.single-replica-backend: must be one of error, warning, info, off'],
    [{ failOn: 'sometimes' }, 'failOn: must be one of error, warning, info, never'],
    [{ ignore: [{ rule: 'x', nmae: 'y' }] }, 'ignore.0.nmae: unknown key'],
    [{ gkeVersion: 'latest' }, 'gkeVersion: must match pattern'],
    [{ healthCheckRanges: ['130.211.0.0/22', '35.191.0.0/33'] }, 'healthCheckRanges.1: 35.191.0.0/33 is not a CIDR range'],
  ])('names the bad key in %j', (raw, message) => {
    expect(() => resolve(raw)).toThrow(ConfigError);
    expect(() => resolve(raw)).toThrow(message);
  });
});
