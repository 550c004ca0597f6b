import type { Rule } from '../../model/rule-contract.js';
import yamlSyntax from '../yaml-syntax.js';
import manifestInvalid from '../manifest-invalid.js';

export const INPUT_RULES = [yamlSyntax, manifestInvalid] as Rule[];
