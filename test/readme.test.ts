import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPOSITORY_URL, renderRulesReference, ruleDocsUrl } from '../src/reporters/rule-docs.js';
import { INFORMATION_URI } from '../src/reporters/sarif.js';
import { RULES } from '../src/rules/index.js';
import { renderShapesMarkdown } from '../src/collectors/shapes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const readme = read('README.md');
/** README.md and every docs/*.md, by path relative to the repository. */
const MARKDOWN = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** What lies between `<!-- NAME:start -->` and `<!-- NAME:end -->`, as scripts/update-docs.mjs writes it. */
function generated(text: string, name: string): string {
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  expect(start, `<!-- ${name}:start -->`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return text.slice(start + `<!-- ${name}:start -->`.length, end).trim();
}

/** The lines of a Markdown file outside fenced code blocks (a `# comment` in a YAML example is no heading). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The anchors GitHub gives a file's headings (github-slugger: lower case, punctuation dropped, spaces to -, -1 … on repeats), and explicit ids. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const plain = heading[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = plain.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every relative link target of a Markdown file, outside code: `[text](target)` and `![alt](target)`. */
function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const line of prose(text)) {
    const withoutCode = line.replace(/`[^`]*`/g, (code) => (code.includes('](') ? '' : code));
    for (const m of withoutCode.matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1]!)) links.push(m[1]!);
    }
  }
  return links;
}

describe('docs/rules.md', () => {
  const rules = read('docs/rules.md');

  it('documents every rule exactly as the metadata says (run `npm run build && npm run docs` after changing a rule)', () => {
    expect(generated(rules, 'rules')).toBe(renderRulesReference(RULES).trim());
  });

  it('has one anchor per rule, its id, where `negdoctor explain` and SARIF helpUri point', () => {
    const ids = anchors(rules);
    for (const { meta } of RULES) {
      expect(ids, meta.id).toContain(meta.id);
      expect(ids, `${meta.id} is a heading more than once`).not.toContain(`${meta.id}-1`);
      expect(ruleDocsUrl(meta.id)).toBe(`${REPOSITORY_URL}/blob/main/docs/rules.md#${meta.id}`);
    }
    expect(INFORMATION_URI).toBe(REPOSITORY_URL);
  });
});

describe('docs/inputs.md', () => {
  it('documents the input shapes exactly as src/collectors/shapes.ts has them (run `npm run build && npm run docs`)', () => {
    expect(generated(read('docs/inputs.md'), 'shapes')).toBe(renderShapesMarkdown().trim());
  });
});

describe('README', () => {
  it('stays short: under 450 lines (references belong in docs/)', () => {
    expect(readme.split('\n').length).toBeLessThan(450);
    expect(readme).not.toContain('<!-- rules:start -->');
    expect(readme).not.toContain('<!-- shapes:start -->');
  });

  it('gives a quick start of exactly two commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
    const commands = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('links the rule reference and the input shapes, and the package ships them', () => {
    expect(relativeLinks(readme)).toEqual(expect.arrayContaining(['docs/rules.md', 'docs/inputs.md']));
    // The notice for an object lint cannot place, and `lint --help`, send people to the README's "Input shapes".
    expect(anchors(readme)).toContain('input-shapes');
    expect(JSON.parse(read('package.json')).files).toContain('docs');
  });
});

describe('Markdown links', () => {
  it.each(MARKDOWN)('every relative link in %s resolves to a file, and an anchor to a heading', (file) => {
    const broken: string[] = [];
    const anchorsOf = new Map<string, Set<string>>();
    for (const link of relativeLinks(read(file))) {
      const [target, anchor] = link.split('#') as [string, string | undefined];
      const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(target)));
      if (resolved.startsWith('..') || !existsSync(path.join(ROOT, resolved))) {
        broken.push(`${link}: no ${resolved}`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !(anchorsOf.get(resolved) ?? anchorsOf.set(resolved, anchors(read(resolved))).get(resolved)!).has(anchor)) broken.push(`${link}: no #${anchor} in ${resolved}`);
    }
    expect(broken).toEqual([]);
  });
});
