/** Small pieces of the HTML report used by more than one part of it. */
import type { Finding, Severity } from '../findings.js';
import { html, severityToken, type Markup } from './escape.js';

export function findingLink(f: Finding): Markup {
  return html`<a href="#f-${f.fingerprint}"><code>${f.ruleId}</code></a>`;
}

export function badge(severity: Severity): Markup {
  const sev = severityToken(severity);
  return html`<span class="badge sev-${sev}">${sev}</span>`;
}
