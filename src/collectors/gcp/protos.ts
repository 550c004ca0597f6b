/**
 * The part of a client library's proto descriptors the clients we use need.
 *
 * Every Compute client hands gax the whole API's descriptors (compute's
 * protos.json: ~2,100 messages of ~100 services per version), and gax turns them into a
 * protobufjs Root: ~1.5 s of CPU on the first client, on the main thread,
 * while a scan's Kubernetes answers wait to be read. The seven services the
 * collector calls reach ~240 of those messages (and the file also holds
 * v1beta and v1small, as big again). `pruneProtoJSON` keeps, in the
 * services' package, those services and every message they reach through
 * request, response and field types, drops the package's sibling versions,
 * and keeps other packages (google.api, google.protobuf, the operation
 * extensions) whole.
 * A type that is cut but still referenced makes protobufjs throw "no such
 * type" when the Root is resolved — a loud failure, never a wrong encoding.
 */

/** A protobufjs JSON namespace (the shape of a client library's protos.json). */
export interface ProtoNamespace {
  nested?: Record<string, ProtoNode>;
  [key: string]: unknown;
}

interface ProtoNode extends ProtoNamespace {
  fields?: Record<string, { type?: string; keyType?: string }>;
  methods?: Record<string, { requestType?: string; responseType?: string }>;
}

/**
 * `json` with the package `pkg` ("google.cloud.compute.v1") cut down to the
 * `services` (names inside it) and what they reach; `json` itself is not
 * changed. Undefined when `json` has no such package or lacks a service:
 * the caller then uses `json` as it is.
 */
export function pruneProtoJSON(json: ProtoNamespace, pkg: string, services: readonly string[]): ProtoNamespace | undefined {
  const path = pkg.split('.');
  let node: ProtoNamespace | undefined = json;
  for (const part of path) node = node?.nested?.[part];
  const members = node?.nested;
  if (!members || !services.every((s) => members[s]?.methods)) return undefined;

  const kept = new Set<string>();
  const queue = [...services];
  const reach = (reference: string | undefined) => {
    if (!reference) return;
    // "Firewall", ".google.cloud.compute.v1.Firewall", "Firewall.Direction": the package member it starts with.
    const absolute = reference.startsWith('.') ? reference.slice(1) : reference;
    const inPackage = absolute.startsWith(`${pkg}.`) ? absolute.slice(pkg.length + 1) : absolute;
    const head = inPackage.split('.')[0]!;
    if (members[head] && !kept.has(head)) queue.push(head);
  };
  const walk = (member: ProtoNode) => {
    for (const method of Object.values(member.methods ?? {})) {
      reach(method.requestType);
      reach(method.responseType);
    }
    for (const field of Object.values(member.fields ?? {})) {
      reach(field.type);
      reach(field.keyType);
    }
    for (const inner of Object.values(member.nested ?? {})) walk(inner);
  };
  while (queue.length) {
    const name = queue.pop()!;
    if (kept.has(name)) continue;
    kept.add(name);
    walk(members[name]!);
  }

  const prunedPackage: ProtoNamespace = { ...node, nested: Object.fromEntries(Object.entries(members).filter(([name]) => kept.has(name))) };
  // Rebuild the path down to the package, sharing every untouched namespace with `json`. The
  // package's siblings are other versions of the same API (compute ships v1beta and v1small
  // beside v1, each as big): dropped.
  const rebuild = (at: ProtoNamespace, depth: number): ProtoNamespace => {
    if (depth === path.length) return prunedPackage;
    const part = path[depth]!;
    const inner = rebuild(at.nested![part]!, depth + 1);
    return { ...at, nested: depth === path.length - 1 ? { [part]: inner } : { ...at.nested, [part]: inner } };
  };
  return rebuild(json, 0);
}
