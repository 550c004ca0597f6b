/** Small pieces of the HTML report used by more than one part of it. */
import type { Finding, Severity } from '../findings.js';
import { html, severityToken, type Markup } from './escape.js';
import { proseOf } from './incidents.js';

export function findingLink(f: Finding): Markup {
  return html`<a href="#f-${f.fingerprint}"><code>${f.ruleId}</code></a>`;
}

export function badge(severity: Severity): Markup {
  const sev = severityToken(severity);
  return html`<span class="badge sev-${sev}">${sev}</span>`;
}

/**
 * A finding's message and, when it carries commands, each as its own block:
 * a plain <pre> (no wrapping inside a token; it scrolls), what it does above
 * it, and a Copy button the page's script shows (hidden without JavaScript).
 */
export function messageWithFix(f: Finding): Markup {
  const steps = f.fixSteps ?? [];
  const blocks = steps.map(
    (step) => html`<div class="fix-step"><p class="does">${step.explains}</p><div class="cmd"><pre><code>${step.command}</code></pre><button type="button" class="copy" hidden>Copy</button></div></div>`,
  );
  return html`${proseOf(f)}${steps.length ? html`<div class="fix-steps">${blocks}</div>` : ''}`;
}
