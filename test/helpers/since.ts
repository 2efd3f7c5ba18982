/**
 * Tests of an event run from the catalogue's `since` of it on, and are skipped before: so each
 * event is tested from exactly the Node version the catalogue says it is raised in (a `since` set
 * too low fails on the CI Node that lacks the API, and one in 20.x is tested on CI's Node 20).
 */
import { events } from '../../src/catalogue/index';
import type { CatalogueEventName } from '../../src/catalogue/index';

/** Whether version `a` (major.minor.patch) is at most `b`. */
export function atMost(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return true;
}

/** The catalogue's `since` of an event. */
export function sinceOf(name: CatalogueEventName): string {
  const event = events.find((candidate) => candidate.name === name);
  if (event === undefined) throw new Error(`${name} is not catalogued`);
  return event.since;
}

/** A test's `skip`: a reason on a Node older than the `since` of any of `names`, else false. */
export function fromSince(...names: readonly CatalogueEventName[]): string | false {
  const later = names.find((name) => !atMost(sinceOf(name), process.versions.node));
  return later === undefined ? false : `${later} is raised from Node ${sinceOf(later)} on (the catalogue's since)`;
}
