/**
 * Text from inputs (names, messages, file names, API answers) made safe to
 * print on one line of a terminal or a CI log: every C0 and C1 control
 * character, DEL, the Unicode line and paragraph separators and the bidi
 * overrides are shown as escapes (`\n`, `\x1b`, `\u202e`), so a value can
 * neither start a new line (and with it a GitHub workflow command such as
 * `::add-mask::`), nor move the cursor, retitle the window or overwrite a line.
 * A value that itself begins with `::` has its first colon escaped too, for
 * the places where a value starts a line, and the legacy `##[` command marker
 * is broken wherever it appears.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function visibleControls(text: string): string {
  return breakCommandMarkers(escapeControls(text)).replace(/^(\s*):(?=:)/, '$1\\x3a');
}

/** Only the control characters, as escapes (for syntaxes with their own rules for the rest). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** The legacy `##[command]` marker, which the Actions runner finds anywhere in a line. */
export function breakCommandMarkers(text: string): string {
  return text.replace(/##\[/g, '##\\[');
}

/** True when the text holds nothing `visibleControls` would change (for tests and assertions). */
export function hasControls(text: string): boolean {
  return new RegExp(UNSAFE.source).test(text);
}

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}
