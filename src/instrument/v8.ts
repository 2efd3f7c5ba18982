/**
 * v8: serialisation, heap introspection and V8 flags.
 *
 * - `marshal.dumps` (value, version) and `marshal.loads` (bytes): CPython's names for turning values
 *   into bytes and back. Raised by Serializer#writeValue and Deserializer#readValue, which
 *   v8.serialize and v8.deserialize (and DefaultSerializer, subclasses) call once per value: one
 *   event per call whichever API was used. `version` is null (V8 does not expose its wire version).
 * - `gc.get_objects` (generation = null): a heap snapshot hands out every object on the heap
 *   (v8.getHeapSnapshot, v8.writeHeapSnapshot, v8.setHeapSnapshotNearHeapLimit; Worker#getHeapSnapshot
 *   in worker_threads.ts). v8.writeHeapSnapshot(filename) then raises `open` for writing the file it
 *   names; with no filename, V8 makes up one in the working directory.
 * - `gc.get_referrers` (objs): v8.queryObjects(ctor) finds the objects whose prototype chain holds
 *   ctor.prototype, that is, the referrers of that prototype; objs is [ctor].
 * - `v8.setFlagsFromString` (flags): V8 flags change what the engine allows (e.g. --allow-natives-syntax).
 * - `v8.startCpuProfile`, `v8.startHeapProfile`: V8's profilers, of this thread (here) or a worker's
 *   (Worker#startCpuProfile, #startHeapProfile in worker_threads.ts); `v8.setHeapProfileNearHeapLimit`
 *   (limit) and `v8.takeCoverage` (directory): files native code writes later, under its own names.
 *   Their options are read once, as Node's normalizers read them, into the copy Node gets; invalid
 *   ones raise nothing (Node throws).
 */
import { constants } from 'node:fs';
import {
  ArrayIsArray, NumberIsInteger, ObjectFreeze, ObjectGetPrototypeOf, PathResolve, ProcessEnvironment,
} from '../core/primordials.js';
import { INVALID, absolutePath, readOptions, systemOpenFlags, toPath } from './args.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { andThen, instrument, operation, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';


const describeWriteValue: Describe = (args) => operation('marshal.dumps', [args[0], null]);

const describeReadValue: Describe = (_args, deserializer) =>
  operation('marshal.loads', [(deserializer as { buffer?: unknown }).buffer ?? null]);

const describeHeapSnapshot: Describe = () => operation('gc.get_objects', [null]);

const WRITE_FLAGS = systemOpenFlags(constants.O_TRUNC | constants.O_CREAT | constants.O_WRONLY);

/** writeHeapSnapshot(filename): the snapshot, then the file written; Node gets the path audited. */
const describeWriteHeapSnapshot: Describe = (args) => {
  if (args[0] === undefined) return operation('gc.get_objects', [null]);
  const given = toPath(args[0]);
  if (given === INVALID) return undefined;
  const path = absolutePath(given);
  args[0] = path;
  return andThen(operation('gc.get_objects', [null]), operation('open', [path, 'w', WRITE_FLAGS]));
};

const describeQueryObjects: Describe = (args) =>
  typeof args[0] === 'function' ? operation('gc.get_referrers', [ObjectFreeze([args[0]])]) : undefined;

const describeSetFlags: Describe = (args) =>
  typeof args[0] === 'string' ? operation('v8.setFlagsFromString', [args[0]]) : undefined;

/**
 * A profiler's options, as its normalizer takes them (an object, each option read once): the copy
 * Node gets, undefined when none is given, INVALID when Node throws.
 */
function profilerOptions(args: unknown[], named: readonly string[]): Record<string, unknown> | undefined | typeof INVALID {
  const given = args[0];
  if (given === undefined) return undefined;
  if (typeof given !== 'object' || given === null || ArrayIsArray(given)) return INVALID;
  const copy = readOptions(given, named) as Record<string, unknown>;
  args[0] = copy;
  return copy;
}

/** Absent, or a number in [min, max] (validateNumber; NaN fails every comparison). */
const numberIn = (value: unknown, min: number, max: number): boolean => value === undefined || (typeof value === 'number' && value >= min && value <= max);
/** Absent, or an integer in [min, max] (validateInteger, validateInt32). */
const integerIn = (value: unknown, min: number, max: number): boolean => value === undefined || (NumberIsInteger(value) && (value as number) >= min && (value as number) <= max);
const isBooleanOption = (value: unknown): boolean => value === undefined || typeof value === 'boolean';

const CPU_PROFILE_OPTIONS = ['sampleInterval', 'maxBufferSize'] as const;
/** Node's bounds: the interval is at most 0x7FFFFFFF µs, in ms; the buffer at most 0xFFFFFFFF samples. */
const MAX_SAMPLING_INTERVAL_MS = 0x7FFFFFFF / 1000;
const MAX_SAMPLES = 0xFFFFFFFF;
const MAX_SAFE_INTEGER = 2 ** 53 - 1;
const HEAP_PROFILE_OPTIONS = ['sampleInterval', 'stackDepth', 'forceGC', 'includeObjectsCollectedByMajorGC', 'includeObjectsCollectedByMinorGC'] as const;

/**
 * A profiler's start (v8's, or a Worker's): `event` once its options are valid by `valid`, on a
 * Node whose start takes options (26: `takesOptions`); an older one ignores its arguments.
 */
function describeProfilerStart(event: 'v8.startCpuProfile' | 'v8.startHeapProfile', named: readonly string[], valid: (options: Record<string, unknown>) => boolean) {
  return (takesOptions: boolean): Describe => (args) => {
    if (takesOptions) {
      const options = profilerOptions(args, named);
      if (options === INVALID || (options !== undefined && !valid(options))) return undefined;
    }
    return operation(event, []);
  };
}

export const describeStartCpuProfile = describeProfilerStart('v8.startCpuProfile', CPU_PROFILE_OPTIONS, (options) =>
  numberIn(options['sampleInterval'], 0, MAX_SAMPLING_INTERVAL_MS) && numberIn(options['maxBufferSize'], 1, MAX_SAMPLES));

export const describeStartHeapProfile = describeProfilerStart('v8.startHeapProfile', HEAP_PROFILE_OPTIONS, (options) =>
  integerIn(options['sampleInterval'], 1, MAX_SAFE_INTEGER) && integerIn(options['stackDepth'], 0, 0x7FFFFFFF)
  && isBooleanOption(options['forceGC']) && isBooleanOption(options['includeObjectsCollectedByMajorGC']) && isBooleanOption(options['includeObjectsCollectedByMinorGC']));

/** setHeapProfileNearHeapLimit(limit): a positive uint32 (validateUint32). */
const describeHeapProfileNearLimit: Describe = (args) =>
  NumberIsInteger(args[0]) && (args[0] as number) >= 1 && (args[0] as number) <= 0xFFFFFFFF ? operation('v8.setHeapProfileNearHeapLimit', [args[0] as number]) : undefined;

/**
 * Where takeCoverage writes: NODE_V8_COVERAGE as the process started, resolved against the working
 * directory, as Node resolved it before any program code (taken at load: the program may change
 * both since). Without it takeCoverage writes nothing.
 */
const coverage = ProcessEnvironment['NODE_V8_COVERAGE'];
const COVERAGE_DIRECTORY = typeof coverage === 'string' && coverage !== '' ? PathResolve(coverage) : undefined;

const describeTakeCoverage: Describe = () =>
  COVERAGE_DIRECTORY === undefined ? undefined : operation('v8.takeCoverage', [COVERAGE_DIRECTORY]);

/** Whether `target[key]` takes arguments (a profiler's options, on Node 26). */
export function takesArguments(target: object, key: string): boolean {
  const fn = (target as Record<string, unknown>)[key];
  return typeof fn === 'function' && (fn as { length: number }).length > 0;
}

interface V8Module {
  DefaultSerializer: { prototype: object };
  DefaultDeserializer: { prototype: object };
}

export const v8Domain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('v8', (v8) => installV8(v8 as unknown as V8Module));
  },
};

function installV8(v8: V8Module): void {
  // The binding's Serializer and Deserializer, under DefaultSerializer and DefaultDeserializer.
  instrument(ObjectGetPrototypeOf(v8.DefaultSerializer.prototype) as object, 'writeValue', describeWriteValue, THROWS);
  instrument(ObjectGetPrototypeOf(v8.DefaultDeserializer.prototype) as object, 'readValue', describeReadValue, THROWS);
  instrument(v8, 'getHeapSnapshot', describeHeapSnapshot, THROWS);
  instrument(v8, 'setHeapSnapshotNearHeapLimit', describeHeapSnapshot, THROWS);
  instrument(v8, 'writeHeapSnapshot', describeWriteHeapSnapshot, THROWS);
  instrument(v8, 'queryObjects', describeQueryObjects, THROWS);
  instrument(v8, 'setFlagsFromString', describeSetFlags, THROWS);
  instrument(v8, 'startCpuProfile', describeStartCpuProfile(takesArguments(v8, 'startCpuProfile')), THROWS);
  instrument(v8, 'startHeapProfile', describeStartHeapProfile(takesArguments(v8, 'startHeapProfile')), THROWS);
  instrument(v8, 'setHeapProfileNearHeapLimit', describeHeapProfileNearLimit, THROWS);
  instrument(v8, 'takeCoverage', describeTakeCoverage, THROWS);
}

