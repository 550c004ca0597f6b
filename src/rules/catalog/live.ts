import type { Rule } from '../define-rule.js';

/** SPEC §5 "Live cluster", in catalog order. */
export const LIVE_RULES = [] as Rule[];
