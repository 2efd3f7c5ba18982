/**
 * trace_events.createTracing (categories): a tracing object can record what every part of the
 * process does (and write it to a file once enabled). Raised with the category list, as given.
 */
import { frozenCopy, isStringArray } from './args.js';
import { inWorker } from '../core/thread.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { THROWS, instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

/**
 * createTracing(options) as Node checks it (an object whose `categories` is a non-empty string
 * array); Node then gets `{ categories }`, the very list audited, read once.
 */
const describeCreateTracing: Describe = (args) => {
  const options = args[0];
  if (typeof options !== 'object' || options === null) return undefined;
  const categories = (options as { categories?: unknown }).categories;
  if (!isStringArray(categories) || categories.length === 0) return undefined;
  const audited = frozenCopy(categories);
  args[0] = { categories: audited };
  return operation('trace_events.createTracing', [audited]);
};

export const traceEventsDomain: Domain = {
  withFirstHook() {
    // Workers have no trace_events module (requiring it throws there).
    if (inWorker()) return;
    instrumentWhenLoaded('trace_events', (traceEvents) => instrument(traceEvents, 'createTracing', describeCreateTracing, THROWS));
  },
};
