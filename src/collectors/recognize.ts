/**
 * Recognition: what each object of a document is, by its apiVersion/kind, the
 * list or wrapper it came in, its fields (the table in shapes.ts), or the type
 * the user stated; and the one-line notice for an object that fits nothing.
 */
import { isRecord } from '../util/values.js';
import {
  type Shape,
  SHAPES,
  SHAPES_BY_ID,
  GCP_KINDS,
  LIST_KEYS,
  type ExplicitType,
  fieldHolds,
  fits,
  shapesOf,
  hasShapeKey,
  kubeListItemShape,
  gcpListItemShape,
  describeCandidates,
} from './shapes.js';


export interface Recognized {
  /** Where the object sits in the document (['items', 3], ['items', 'zones/x', 'networkEndpointGroups', 0]). */
  path: Array<string | number>;
  value: unknown;
  /** The shape it was recognised as; undefined when it fits none or several. */
  shape?: Shape;
  /** How: its own kind, the list it came in, its fields, or the type the user stated. */
  by?: 'kind' | 'wrapper' | 'fields' | 'explicit';
  /** For unknown objects: the shapes it fits (several) — empty when none. */
  candidates?: Shape[];
  /** A Kubernetes object carries apiVersion and kind (the plain case; no shape needed). */
  kube?: boolean;
  /** A list that states its type and holds nothing (`{"kind": "compute#firewallList"}`, `{"clusters": []}`): complete evidence of none. */
  emptyOf?: Shape;
  /** A Google API `kind` the object declares that negdoctor does not read (`compute#instance`). */
  declaredKind?: string;
  /** Why it was not read, when neither its kind nor its candidates say (a stated type it contradicts, an empty list of nothing named). */
  why?: string;
}

/** The keys of an effective-firewalls answer; gcloud leaves out the empty ones, so `{"firewalls": […]}` alone is one. */
const EFFECTIVE_KEYS: ReadonlySet<string> = new Set(['firewalls', 'firewallPolicys', 'firewallPolicies', 'organizationFirewalls']);

function hasKubeIdentity(value: Record<string, unknown>): boolean {
  return typeof value.apiVersion === 'string' && value.apiVersion !== '' && typeof value.kind === 'string' && value.kind !== '';
}

/**
 * Unwraps and classifies one parsed document. With `explicit`, every object
 * found is taken as that type's shape (the wrapper is still unwrapped), and a
 * document that is not that type at all is reported as unknown.
 */
export function recognize(document: unknown, explicit?: ExplicitType): Recognized[] {
  const out: Recognized[] = [];
  recognizeEach(document, explicit, (item) => out.push(item));
  return out;
}

/**
 * `recognize`, one item at a time: a document that is an array of millions of
 * scalars or empty objects must not hold a Recognized record per item.
 */
export function recognizeEach(document: unknown, explicit: ExplicitType | undefined, each: (item: Recognized) => void): void {
  const forced = explicit ? SHAPES_BY_ID.get(explicit.type.shape) : undefined;
  visit(document, [], undefined, { push: each }, forced, 0);
}

interface Sink {
  push(item: Recognized): void;
}

function visit(value: unknown, path: Array<string | number>, hint: Shape | undefined, out: Sink, forced: Shape | undefined, depth: number): void {
  if (depth > 4) {
    out.push({ path, value, candidates: [] });
    return;
  }
  // Arrays: `gcloud … list --format=json`, `jq .items`, JSON arrays of anything.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visit(value[i], [...path, i], hint, out, forced, depth + 1);
    return;
  }
  if (!isRecord(value)) {
    out.push({ path, value, candidates: [] });
    return;
  }
  if (hasKubeIdentity(value)) {
    const kind = value.kind as string;
    if (Array.isArray(value.items) && (kind === 'List' || kind.endsWith('List'))) {
      // `kind: List` (kubectl get a,b -o yaml) and typed lists (PodList) whose items may lack apiVersion/kind.
      const itemShape = kubeListItemShape(kind);
      const items = value.items as unknown[];
      if (itemShape && items.length === 0) return void out.push({ path, value, emptyOf: itemShape, by: 'kind' });
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (itemShape && isRecord(item) && !hasKubeIdentity(item)) {
          out.push({ path: [...path, 'items', i], value: item, shape: itemShape, by: 'wrapper' });
        } else {
          visit(item, [...path, 'items', i], undefined, out, forced, depth + 1);
        }
      }
      return;
    }
    const shape = SHAPES_BY_ID.get(`k8s:${kind}`);
    out.push({ path, value, kube: true, ...(shape ? { shape, by: 'kind' as const } : {}) });
    return;
  }
  // An explicitly typed single object (effective firewalls, a described cluster) is not unwrapped.
  if (forced && fits(value, forced)) {
    out.push({ path, value, shape: forced, by: 'explicit' });
    return;
  }
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  // `kind: Pod` without apiVersion: the kind says enough.
  const kubeByKind = kind && !Array.isArray(value.items) ? SHAPES_BY_ID.get(`k8s:${kind}`) : undefined;
  if (kubeByKind) {
    out.push({ path, value, shape: kubeByKind, by: 'kind' });
    return;
  }
  if (kind && GCP_KINDS[kind]) {
    out.push({ path, value, shape: SHAPES_BY_ID.get(GCP_KINDS[kind])!, by: 'kind' });
    return;
  }
  // Google's APIs omit an empty `items`: a list that states its kind and has none holds nothing. A kind negdoctor
  // does not read (instances, routes, addresses…) is named, and nothing is guessed.
  const listShape = kind && /^[a-z]+#\w+$/.test(kind) ? (gcpListItemShape(kind) ?? null) : undefined;
  if (listShape && value.items === undefined) return void out.push({ path, value, emptyOf: listShape, by: 'kind' });
  if (listShape === null && !Array.isArray(value.items) && !isRecord(value.items)) return void out.push({ path, value, candidates: [], declaredKind: kind! });
  // `get-effective-firewalls` of a network without policies: `{"firewalls": […]}` (a REST list answer is `items`).
  if (Array.isArray(value.firewalls) && Object.keys(value).every((key) => EFFECTIVE_KEYS.has(key)) && (!forced || forced.id === 'gcp:effective-firewalls' || forced.id === 'gcp:firewall')) {
    return void out.push({ path, value, shape: SHAPES_BY_ID.get('gcp:effective-firewalls')!, by: forced ? 'explicit' : 'fields' });
  }
  const wrapped = unwrap(value, path);
  if (wrapped) {
    let items = 0;
    for (const w of wrapped) {
      items++;
      visit(w.value, w.path, w.hint ?? hint, out, forced, depth + 1);
    }
    if (items === 0) {
      const empty = forced ?? emptyListShape(value);
      out.push(empty ? { path, value, emptyOf: empty, by: forced ? 'explicit' : 'wrapper' } : { path, value, candidates: [], why: 'an empty list that does not say what it lists' });
    }
    return;
  }
  if (forced) {
    // The user said what it is: a trimmed object of the stated type is still that type, unless it has a field that type never has.
    const against = (forced.none ?? []).find((t) => fieldHolds(value, t));
    if (against) return void out.push({ path, value, candidates: [], why: `it has \`${against.path}\`, which ${forced.label} never has` });
    out.push({ path, value, shape: forced, by: 'explicit' });
    return;
  }
  const candidates = shapesOf(value);
  if (candidates.length === 1) {
    out.push({ path, value, shape: candidates[0]!, by: 'fields' });
    return;
  }
  if (hint && (candidates.length === 0 || candidates.includes(hint)) && !(hint.none ?? []).some((t) => fieldHolds(value, t))) {
    // The list it came in says what it is, and its own fields do not contradict that.
    out.push({ path, value, shape: hint, by: 'wrapper' });
    return;
  }
  out.push({ path, value, candidates: candidates.length ? candidates : nearShapes(value) });
}

/** For the notice about an object that fits nothing: the shapes whose required fields it has (what it might be). */
function nearShapes(value: Record<string, unknown>): Shape[] {
  if (!hasShapeKey(value)) return [];
  // A `name` alone tells nothing: every Google Cloud resource has one.
  return SHAPES.filter((s) => s.all?.some((t) => t.path !== 'name') && s.all.every((t) => fieldHolds(value, t)) && !(s.none ?? []).some((t) => fieldHolds(value, t)));
}

/** The type an empty list states: its `kind`, or the key its items sit under (`{"clusters": []}`). */
function emptyListShape(value: Record<string, unknown>): Shape | undefined {
  const key = Object.keys(value).find((k) => LIST_KEYS[k] && Array.isArray(value[k]));
  return gcpListItemShape(value.kind) ?? kubeListItemShape(value.kind) ?? (key ? SHAPES_BY_ID.get(LIST_KEYS[key]!) : undefined);
}

interface Wrapped {
  value: unknown;
  path: Array<string | number>;
  hint?: Shape;
}

/**
 * The wrappers objects come in (besides plain arrays and Kubernetes lists):
 *   - REST list answers `{"kind": "compute#firewallList", "items": […]}`, or `{"items": […]}` with no kind;
 *   - aggregated lists `{"items": {"zones/us-central1-a": {"networkEndpointGroups": […]}}}`;
 *   - `{"clusters": […], "missingZones": […]}` (Container API list answer), `{"firewalls": […]}`.
 * Effective firewalls `{"firewalls": […], "firewallPolicys": […]}` are an object of their own (SHAPES).
 */
const bookkeeping = new Set(['kind', 'id', 'selfLink', 'nextPageToken', 'warning', 'warnings', 'unreachables', 'missingZones', 'metadata', 'apiVersion']);

function unwrap(value: Record<string, unknown>, path: Array<string | number>): Iterable<Wrapped> | undefined {
  // Iterables, not arrays: a list of millions of items is walked, never copied into wrapper records.
  const keys = Object.keys(value);
  if (Array.isArray(value.items) && keys.every((k) => k === 'items' || bookkeeping.has(k))) {
    const hint = gcpListItemShape(value.kind) ?? kubeListItemShape(value.kind);
    return listItems(value.items as unknown[], [...path, 'items'], hint);
  }
  if (isRecord(value.items) && keys.every((k) => k === 'items' || bookkeeping.has(k))) {
    return aggregatedItems(value.items, path);
  }
  const listKeys = keys.filter((k) => !bookkeeping.has(k));
  if (listKeys.length === 1 && Array.isArray(value[listKeys[0]!]) && LIST_KEYS[listKeys[0]!] !== undefined) {
    const key = listKeys[0]!;
    return listItems(value[key] as unknown[], [...path, key], LIST_KEYS[key] ? SHAPES_BY_ID.get(LIST_KEYS[key]!) : undefined);
  }
  return undefined;
}

function* listItems(list: unknown[], path: Array<string | number>, hint: Shape | undefined): Iterable<Wrapped> {
  for (let i = 0; i < list.length; i++) yield { value: list[i], path: [...path, i], ...(hint ? { hint } : {}) };
}

function* aggregatedItems(items: Record<string, unknown>, path: Array<string | number>): Iterable<Wrapped> {
  for (const [scope, entry] of Object.entries(items)) {
    if (!isRecord(entry)) continue;
    for (const [key, list] of Object.entries(entry)) {
      if (key === 'warning' || !Array.isArray(list)) continue;
      const id = LIST_KEYS[key];
      yield* listItems(list, [...path, 'items', scope, key], id ? SHAPES_BY_ID.get(id) : undefined);
    }
  }
}

/** The one-line explanation for an object that could not be recognised. */
export function unknownNotice(item: Recognized): string {
  if (!isRecord(item.value)) return 'not an object; skipped';
  if (item.declaredKind) return `declares kind "${item.declaredKind}", which negdoctor does not read; skipped`;
  if (item.why) return `${item.why}; skipped`;
  const candidates = item.candidates ?? [];
  if (candidates.length > 0) {
    const types = [...new Set(candidates.map((c) => c.inputType))];
    const might = candidates.length > 1 ? `could be ${describeCandidates(candidates)}` : `may be ${candidates[0]!.label}, but lacks the fields that tell it apart`;
    return `${might}; skipped — state its type with \`negdoctor lint ${types[0]}=FILE\`${types.length > 1 ? ` (or ${types.slice(1).join(', ')})` : ''}${candidates.some((c) => c.domain === 'kube') ? ', or add apiVersion and kind' : ''}`;
  }
  return 'neither a Kubernetes object (no apiVersion/kind, and no shape a rule reads) nor a Google Cloud resource negdoctor reads; skipped — if it is one, state its type: `negdoctor lint TYPE=FILE` (see "Input shapes" in the README)';
}
