/**
 * A faster `doc.toJS({ maxAliasCount })` for the documents manifests are made
 * of: plain maps, sequences and scalars, with simple anchors and aliases.
 * yaml's own conversion resolves each alias by visiting the whole document
 * (once per document, then a scan of every anchor and alias), goes through a
 * generic per-pair path and a context object per call; this walk keeps the
 * anchors it has passed instead. Anything else — merge keys, collection or
 * alias keys, collection subclasses (!!set, !!omap), aliases to nodes that
 * hold aliases or that are still being converted, many aliases to one anchor
 * (yaml's alias-bomb guard) — gives up, and the caller uses yaml's toJS, so
 * the result is always the one yaml gives.
 *
 * The walk's result is then copied through JSON, which halves what a
 * document costs to keep (measured on 50,000 documents: 94 → 49 MB with the
 * file text released): the walk's strings are slices that keep the whole
 * file text alive, and objects grown a property at a time carry spare
 * capacity, while JSON.parse builds exact-size objects and fresh strings.
 * The copy equals yaml's value field for field; two aliases of one anchor
 * become two equal objects instead of one shared object. A document with a
 * number JSON cannot carry (.inf, .nan, -0), or whose aliases would more
 * than double its size once copied, keeps the walk's own value.
 */
import { Alias, Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';

/** Returned when the document needs yaml's own conversion. */
export const FALLBACK: unique symbol = Symbol('fallback');

/** Uses of one anchor handled here; yaml refuses above its maxAliasCount (1000 in the collector). */
const MAX_ALIAS_USES = 100;

interface Anchor {
  /** undefined while the anchored node is being converted (a self-reference). */
  value: unknown;
  /** Nodes under the anchor: what each alias to it adds to a JSON copy. */
  nodes: number;
  done: boolean;
  /** The anchored node holds an alias: yaml's alias count then multiplies; let yaml do it. */
  nested: boolean;
  uses: number;
}

class Walk {
  readonly anchors = new Map<string, Anchor>();
  aliases = 0;
  /** A number JSON would change or refuse (Infinity, NaN, -0, a bigint) was met. */
  jsonUnsafe = false;
  /** Nodes converted, and nodes that aliases repeat: a JSON copy holds both. */
  nodes = 0;
  repeated = 0;

  convert(node: unknown): unknown {
    this.nodes++;
    if (node instanceof Scalar) {
      const value = node.value;
      if ((typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) || typeof value === 'bigint') this.jsonUnsafe = true;
      if (node.anchor) return this.anchored(node, () => value);
      return value;
    }
    if (node instanceof Alias) return this.alias(node);
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (node instanceof YAMLMap && node.constructor === YAMLMap) {
      return anchor ? this.anchored(node, (out) => this.map(node, out as Record<string, unknown>), {}) : this.map(node, {});
    }
    if (node instanceof YAMLSeq && node.constructor === YAMLSeq) {
      return anchor ? this.anchored(node, (out) => this.seq(node, out as unknown[]), []) : this.seq(node, []);
    }
    throw FALLBACK;
  }

  private map(node: YAMLMap, out: Record<string, unknown>): Record<string, unknown> {
    for (const pair of node.items) {
      const key = pair.key;
      if (!(key instanceof Scalar) || key.anchor || (key as { addToJSMap?: unknown }).addToJSMap) throw FALLBACK;
      const k = key.value;
      if (k === '<<' || (k !== null && (typeof k === 'object' || typeof k === 'symbol' || typeof k === 'function'))) throw FALLBACK;
      const stringKey = k === null ? '' : String(k);
      const value = this.convert(pair.value);
      if (stringKey in out) {
        Object.defineProperty(out, stringKey, { value, writable: true, enumerable: true, configurable: true });
      } else {
        out[stringKey] = value;
      }
    }
    return out;
  }

  private seq(node: YAMLSeq, out: unknown[]): unknown[] {
    for (const item of node.items) out.push(this.convert(item));
    return out;
  }

  /** Records the anchor before the children (as yaml does), so later aliases see the same object. */
  private anchored(node: Scalar | YAMLMap | YAMLSeq, fill: (out: unknown) => unknown, out?: unknown): unknown {
    const entry: Anchor = { value: out, nodes: 0, done: false, nested: false, uses: 0 };
    this.anchors.set(node.anchor!, entry);
    const aliasesBefore = this.aliases;
    const nodesBefore = this.nodes;
    const value = fill(out);
    entry.value = value;
    entry.nodes = this.nodes - nodesBefore + 1;
    entry.done = true;
    entry.nested = this.aliases !== aliasesBefore;
    return value;
  }

  private alias(node: Alias): unknown {
    this.aliases++;
    const entry = this.anchors.get(node.source);
    if (!entry || !entry.done || entry.nested || ++entry.uses > MAX_ALIAS_USES) throw FALLBACK;
    this.repeated += entry.nodes;
    return entry.value;
  }
}

/** The document's value as `doc.toJS()` gives it, or FALLBACK when this walk cannot promise that. */
export function fastToJS(doc: Document): unknown {
  const contents = doc.contents;
  if (contents === null || contents === undefined) throw FALLBACK;
  try {
    const walk = new Walk();
    const value = walk.convert(contents);
    // Aliases that would more than double the document in a copy (a small alias bomb) keep their shared value.
    const copy = !walk.jsonUnsafe && walk.repeated <= walk.nodes && value !== null && typeof value === 'object';
    return copy ? JSON.parse(JSON.stringify(value)) : value;
  } catch (error) {
    if (error === FALLBACK) return FALLBACK;
    throw error;
  }
}
