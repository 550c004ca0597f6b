/** `defineRule`: the one helper every rule file calls (it checks the id is kebab-case). */
import type { Rule } from '../model/rule-contract.js';

export function defineRule<O extends Record<string, unknown>>(rule: Rule<O>): Rule<O> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(rule.meta.id)) {
    throw new Error(`rule id ${rule.meta.id} is not kebab-case`);
  }
  return rule;
}
