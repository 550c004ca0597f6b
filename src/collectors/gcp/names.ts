/** Short names out of the resource URLs and locations Google Cloud answers with. */

/** The last path segment of a resource URL (`…/zones/us-central1-a` → `us-central1-a`); a short name stays itself. */
export function lastSegment(value: string | undefined): string {
  return value ? value.slice(value.lastIndexOf('/') + 1) : '';
}

/** The region of a zone (`us-central1-a` → `us-central1`); a region stays itself. */
export function regionOf(location: string): string {
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return zone ? zone[1]! : location;
}
