/** Small text helpers for finding messages: shortening, counting, sampling, joining. */

export function truncate(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Last path segment of a URL ("…/zones/us-central1-a" → "us-central1-a"). */
export function lastSegment(value: string | undefined): string {
  if (!value) return '';
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

export function sample(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Reasons joined as sentences: every one after the first starts with a capital. */
export function sentences(reasons: readonly string[]): string {
  return reasons.map((r, i) => (i === 0 ? r : r.charAt(0).toUpperCase() + r.slice(1))).join(' ');
}

/** Joins words as an English list: "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
