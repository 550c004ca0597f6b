/** Regions out of the locations Google Cloud answers with. */

/** The region of a zone (`us-central1-a` → `us-central1`); a region stays itself. */
export function regionOf(location: string): string {
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return zone ? zone[1]! : location;
}
