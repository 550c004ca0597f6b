import { defineRule } from './define-rule.js';

/** Problems with the inputs themselves, recorded by the manifest collector. */
export default defineRule({
  meta: {
    id: 'yaml-syntax',
    title: 'Input file cannot be read as YAML or JSON',
    severity: 'error',
    category: 'input',
    symptom: 'kubectl apply fails, or applies only part of the file, and the rest of the file is not linted.',
    cause: 'A YAML syntax error, a file that is not UTF-8 text, a binary file, or a document that expands past the alias limit (an alias bomb).',
    evidence: 'The parser error with its line and column. The other documents of the file and the other files are still linted.',
    remediation: 'Fix the syntax at the reported position (indentation and quoting are the usual causes); run `kubectl apply --dry-run=client -f FILE` to confirm.',
    needs: [],
    defaults: {},
  },
  check(ctx) {
    for (const problem of ctx.snapshot.inputs.problems) {
      const line = problem.line ?? 1;
      const column = problem.column ?? 1;
      ctx.report({
        path: [],
        message: problem.message,
        location: {
          file: problem.file,
          line,
          column,
          endLine: problem.endLine ?? line,
          endColumn: problem.endColumn ?? column,
          exact: problem.line !== undefined,
        },
        evidence: { problem: problem.kind },
      });
    }
  },
});
