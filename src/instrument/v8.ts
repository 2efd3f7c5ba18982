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
 */
import { constants } from 'node:fs';
import { ObjectFreeze, ObjectGetPrototypeOf } from '../core/primordials.js';
import { INVALID, absolutePath, systemOpenFlags, toPath } from './args.js';
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
}

