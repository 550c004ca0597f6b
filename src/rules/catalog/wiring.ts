import type { Rule } from '../define-rule.js';

/** SPEC §5 "Service, Ingress and health-check wiring", in catalog order. */
export const WIRING_RULES = [] as Rule[];
