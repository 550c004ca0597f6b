import type { Rule } from '../define-rule.js';
import yamlSyntax from '../yaml-syntax.js';
import manifestInvalid from '../manifest-invalid.js';

export const INPUT_RULES = [yamlSyntax, manifestInvalid] as Rule[];
