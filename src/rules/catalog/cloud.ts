import type { Rule } from '../define-rule.js';

/** SPEC §5 "Google Cloud", in catalog order. */
export const CLOUD_RULES = [] as Rule[];
