/** `negdoctor rules` and `negdoctor explain`: the catalog, from the rule metadata. */
import { CliError, EXIT } from '../exit.js';
import { renderRuleExplanation, renderRulesMarkdown, renderRulesText } from '../reporters/rule-docs.js';
import { findRule, RULES } from '../rules/index.js';

export function rulesCommand(format: 'text' | 'json' | 'markdown'): number {
  if (format === 'json') {
    const rules = RULES.map(({ meta }) => ({
      id: meta.id,
      title: meta.title,
      severity: meta.severity,
      category: meta.category,
      symptom: meta.symptom,
      cause: meta.cause,
      evidence: meta.evidence,
      remediation: meta.remediation,
      needs: meta.needs,
      fixable: Boolean(meta.fixable),
      options: meta.options ?? {},
      defaults: meta.defaults,
      explains: meta.explains ?? [],
    }));
    process.stdout.write(`${JSON.stringify({ version: 1, rules }, null, 2)}\n`);
  } else {
    process.stdout.write(format === 'markdown' ? renderRulesMarkdown(RULES) : renderRulesText(RULES));
  }
  return EXIT.ok;
}

export function explainCommand(id: string): number {
  const rule = findRule(id);
  if (!rule) throw new CliError(`unknown rule ${id} (see \`negdoctor rules\`)`);
  process.stdout.write(renderRuleExplanation(rule, RULES));
  return EXIT.ok;
}
