/**
 * trace_events.createTracing (categories): a tracing object can record what every part of the
 * process does (and write it to a file once enabled). Raised with the category list, as given.
 */
import { ArrayIsArray } from '../core/primordials.js';
import { frozenCopy } from './args.js';
import { instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

const describeCreateTracing: Describe = (args) => {
  const categories = (args[0] as { categories?: unknown } | null | undefined)?.categories;
  return ArrayIsArray(categories) ? operation('trace_events.createTracing', [frozenCopy(categories)]) : undefined;
};

export function installTraceEvents(traceEvents: object): void {
  instrument(traceEvents, 'createTracing', describeCreateTracing, { delivery: 'throw' });
}
