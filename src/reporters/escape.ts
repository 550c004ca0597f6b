/**
 * The one place where values (names, messages, file names, anything read from
 * inputs) enter an output syntax. One escaping function per syntax, and for
 * HTML and the terminal a tagged template whose interpolations are escaped
 * unless they are already markup of that syntax: a renderer cannot forget to
 * escape a value, because a plain string is never trusted.
 *
 * Every function here first makes control characters visible
 * (`visibleControls`), so no value can start a line of output — and with it a
 * GitHub workflow command — or reach a terminal as an escape sequence.
 */
import { SEVERITY_ORDER, type Severity } from '../findings.js';
import { breakCommandMarkers, escapeControls, visibleControls } from '../util/control-chars.js';

export { visibleControls };

/** Text that is already in its syntax (built by that syntax's template or helpers): inserted as it is. */
export class Markup {
  constructor(
    readonly syntax: 'html' | 'terminal',
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function template(syntax: Markup['syntax'], escape: (text: string) => string) {
  const insert = (value: Value): string => {
    if (value === null || value === undefined || value === false) return '';
    if (value instanceof Markup) {
      if (value.syntax !== syntax) throw new Error(`${value.syntax} markup cannot go into ${syntax}`);
      return value.text;
    }
    if (Array.isArray(value)) return value.map(insert).join('');
    return escape(String(value));
  };
  return (strings: TemplateStringsArray, ...values: Value[]): Markup => {
    let out = strings[0]!;
    for (let i = 0; i < values.length; i++) out += insert(values[i]) + strings[i + 1]!;
    return new Markup(syntax, out);
  };
}

// ---------------------------------------------------------------- HTML

/**
 * HTML text and double-quoted attribute values (the reporters quote every
 * attribute): the five markup characters as character references, controls
 * made visible (so no raw newline reaches the output).
 */
export function escapeHtml(text: string): string {
  return visibleControls(text).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `html\`<p>${value}</p>\``: every interpolated string is escaped; Markup from `html` goes in as it is. */
export const html = template('html', escapeHtml);

/** Markup written by negdoctor itself (constants, never values). */
export function trustedHtml(text: string): Markup {
  return new Markup('html', text);
}

/** An enum value checked against its enum before it becomes part of a class name or id. */
export function severityToken(value: unknown): Severity | 'none' {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_ORDER, value) ? (value as Severity) : 'none';
}

export const HEALTH_STATES = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN', 'DRAINING', 'TIMEOUT'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** A backend health state as Google Cloud reports it, or UNKNOWN for anything else (a number, markup, …). */
export function healthState(value: unknown): HealthState {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return (HEALTH_STATES as readonly string[]).includes(upper) ? (upper as HealthState) : 'UNKNOWN';
}

// ---------------------------------------------------------------- terminal

/** Terminal text: one line, no control characters; colours only from `paint`. */
export const terminalText = visibleControls;

/** `term\`${value}\``: values are made safe for a terminal; `paint(...)` results go in as they are. */
export const term = template('terminal', terminalText);

// ---------------------------------------------------------------- Markdown (GitHub flavoured)

/**
 * Markdown text: every character that can start markup (emphasis, links,
 * images, HTML, headings, lists, tables, fences) is backslash-escaped or a
 * character reference, and a bare URL is broken so GitHub does not link it.
 */
export function markdownText(text: string): string {
  return visibleControls(text)
    .replace(/[\\`*_[\]|!~$]/g, (c) => `\\${c}`)
    .replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))
    .replace(/:\/\//g, '\\://')
    .replace(/\b(www)\./gi, '$1\\.');
}

/** A Markdown table cell: Markdown text (pipes are escaped there too). */
export function markdownCell(text: string): string {
  return markdownText(text);
}

/**
 * Inline code: a backtick fence longer than any run of backticks in the
 * value, padded with spaces; pipes escaped (GitHub splits table cells on them
 * even inside code).
 */
export function markdownCode(text: string): string {
  const value = visibleControls(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 || value.startsWith(' ') ? ` ${value} ` : value}${fence}`;
}

/**
 * A command to copy, as a fenced `sh` block (with what it does as a comment
 * line above it): a fence longer than any run of backticks in it; controls
 * visible, so the block cannot be closed early.
 */
export function markdownCommandBlock(command: string, comment?: string): string {
  const value = `${comment !== undefined ? `# ${visibleControls(comment)}\n` : ''}${visibleControls(command)}`;
  const longest = Math.max(2, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}sh\n${value}\n${fence}`;
}

/**
 * A Mermaid node label (inside `["…"]`): markup characters, quotes, `%`
 * (directives such as `%%{init}%%`), backticks (Markdown strings) and
 * brackets as Mermaid entity codes.
 */
export function mermaidLabel(text: string): string {
  return visibleControls(text).replace(/[#"<>&%`\\]/g, (c) => `#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------- XML (JUnit)

/** XML text and attribute values; controls made visible (XML 1.0 cannot carry most of them anyway). */
export function escapeXml(text: string): string {
  return visibleControls(text)
    .replace(/[\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// ---------------------------------------------------------------- GitHub workflow commands

/** The message part of a workflow command: `%`, CR and LF as the runner expects; other controls visible. */
export function escapeData(text: string): string {
  return breakCommandMarkers(escapeControls(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')));
}

/** A property value (file, title) of a workflow command: also `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// ---------------------------------------------------------------- JSON

/**
 * JSON text with what JSON.stringify leaves raw but terminals and CI logs act on
 * escaped: C1 controls, line separators, bidi overrides, the `##[` command marker
 * (these only occur inside strings, where `\uXXXX` means the same).
 */
export function jsonSafe(json: string): string {
  return json
    .replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##\[/g, '##\\u005b');
}
