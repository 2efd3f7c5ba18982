/**
 * Issue #11 §3, as a property: wrapped APIs driven with hostile arguments (getters, Proxies,
 * toString / valueOf / Symbol.toPrimitive that answer differently on each call, inherited and
 * non-enumerable options, URLs and Buffers rewritten during Node's checks, relative paths). For
 * every case, the event audited is what Node did (modelled from the event, compared with the
 * directory afterwards, the program's output, the signal's result); and where every value answers
 * the same each time, the outcome and the directory equal plain Node's.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { runScenario, scenario } from './helpers/scenario';

type Value =
  | { kind: 'plain'; v: unknown }
  | { kind: 'toString' | 'valueOf' | 'toPrimitive' | 'url'; seq: unknown[] }
  | { kind: 'buffer'; v: string; rewrite: string };
type Options = { kind: 'none' } | { kind: 'own' | 'proto' | 'hidden' | 'proxy'; keys: Record<string, unknown[]> };
interface Case { api: string; values: Value[]; options: Options }
interface Result { events: unknown[][]; outcome: { returned?: unknown; thrown?: { code: string | null; message: string } }; state: Record<string, unknown>; pid: number }

const ABSENT_PID = 2 ** 30;
const INITIAL = { a: 'A', b: 'B' };

const seqOf = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });
/** A value of `arb`, or an object converting to one (the same each time, or not). */
function hostile<T>(arb: fc.Arbitrary<T>, kinds: readonly ('toString' | 'valueOf' | 'toPrimitive')[]): fc.Arbitrary<Value> {
  return fc.oneof(
    arb.map((v): Value => ({ kind: 'plain', v })),
    fc.tuple(fc.constantFrom(...kinds), seqOf(arb)).map(([kind, seq]): Value => ({ kind, seq })),
  );
}

const name = fc.constantFrom('a', 'b', 'c', 'd/e');
const shortName = fc.constantFrom('a', 'b', 'c');
const absolute = name.map((n) => `$D/${n}`);
const path = fc.oneof(name, absolute);
const pathValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: path.map((v): Value => ({ kind: 'plain', v })) },
  seqOf(absolute).map((seq): Value => ({ kind: 'url', seq })),
  fc.tuple(fc.boolean(), shortName, shortName).map(([abs, v, rewrite]): Value => ({ kind: 'buffer', v: abs ? `$D/${v}` : v, rewrite: abs ? `$D/${rewrite}` : rewrite })),
  seqOf(path).map((seq): Value => ({ kind: 'toString', seq })),
);
const flag = fc.constantFrom('r', 'r+', 'w', 'wx', 'a', 'ax');
function options(keys: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Options> {
  const record = fc.record(Object.fromEntries(Object.entries(keys).map(([key, arb]) => [key, seqOf(arb)])), { requiredKeys: [] });
  return fc.oneof(
    fc.constant<Options>({ kind: 'none' }),
    fc.tuple(fc.constantFrom<'own' | 'proto' | 'hidden' | 'proxy'>('own', 'proto', 'hidden', 'proxy'), record)
      .map(([kind, chosen]): Options => ({ kind, keys: chosen as Record<string, unknown[]> })),
  );
}
const word = fc.constantFrom('one', 'two', '', 'three four');
const pid = fc.constantFrom('$SELF', ABSENT_PID);

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(fc.constantFrom('writeFileSync', 'writeFile', 'readFileSync'), pathValue, options({ flag, encoding: fc.constantFrom('utf8', 'latin1') }))
    .map(([api, p, o]): Case => ({ api, values: [p], options: o })),
  fc.tuple(pathValue, hostile(flag, ['toString'])).map(([p, f]): Case => ({ api: 'openSync', values: [p, f], options: { kind: 'none' } })),
  fc.tuple(pathValue, pathValue).map(([from, to]): Case => ({ api: 'renameSync', values: [from, to], options: { kind: 'none' } })),
  fc.tuple(pathValue, options({ recursive: fc.boolean(), mode: fc.constantFrom(0o700, 0o750, '755') }))
    .map(([p, o]): Case => ({ api: 'mkdirSync', values: [p], options: o })),
  fc.array(hostile(word, ['toString', 'toPrimitive', 'valueOf']), { minLength: 1, maxLength: 3 })
    .map((values): Case => ({ api: 'spawnSync', values, options: { kind: 'none' } })),
  fc.tuple(hostile(pid, ['valueOf', 'toPrimitive']), hostile(fc.constant(0), ['valueOf', 'toPrimitive']))
    .map(([p, s]): Case => ({ api: 'kill', values: [p, s], options: { kind: 'none' } })),
);

/** Whether every value of the case answers the same on every reading (then plain Node must do exactly the same). */
function stable(c: Case): boolean {
  const same = (seq: unknown[]) => seq.every((x) => x === seq[0]);
  const values = c.values.every((v) => (v.kind === 'buffer' ? v.rewrite === v.v : v.kind === 'plain' || same(v.seq)));
  return values && (c.options.kind === 'none' || Object.values(c.options.keys).every(same));
}

/** The directory Node leaves after opening `name` with `flags` (and, for writeFile, writing "X"), from the audited event. */
function afterOpen(api: string, name: string, flags: number): Record<string, unknown> {
  const exists = Object.hasOwn(INITIAL, name);
  if (name.includes('/') || (!exists && !(flags & constants.O_CREAT)) || (exists && flags & constants.O_CREAT && flags & constants.O_EXCL)) return INITIAL;
  let content = exists ? INITIAL[name as 'a' | 'b'] : '';
  if (flags & constants.O_TRUNC) content = '';
  const writable = (flags & 3) !== constants.O_RDONLY;
  if (api !== 'readFileSync' && api !== 'openSync' && writable) content = flags & constants.O_APPEND ? `${content}X` : `X${content.slice(1)}`;
  return { ...INITIAL, [name]: content };
}

/** The event `api` raises must describe what Node did. */
function checkAudited(c: Case, r: Result, umask: number): void {
  const events = r.events.filter((e) => e[0] !== 'os.chdir');
  const refusedOrInvalid = () => {
    assert.ok(r.outcome.thrown !== undefined, 'no event: Node must have rejected the arguments');
    assert.deepEqual(r.state, INITIAL);
  };
  const local = (p: unknown) => {
    assert.equal(typeof p, 'string');
    assert.ok((p as string).startsWith('$D/'), `audited path ${String(p)} is absolute`);
    return (p as string).slice(3);
  };
  switch (c.api) {
    case 'writeFileSync': case 'writeFile': case 'readFileSync': case 'openSync': {
      if (events.length === 0) return refusedOrInvalid();
      assert.equal(events.length, 1);
      const [event, p, , flags] = events[0];
      assert.equal(event, 'open');
      assert.deepEqual(r.state, afterOpen(c.api, local(p), flags as number));
      return;
    }
    case 'renameSync': {
      if (events.length === 0) return refusedOrInvalid();
      const [event, from, to] = events[0];
      assert.equal(event, 'os.rename');
      const [src, dst] = [local(from), local(to)];
      const moved = Object.hasOwn(INITIAL, src) && !dst.includes('/') && src !== dst;
      const expected: Record<string, unknown> = { ...INITIAL };
      if (moved) {
        expected[dst] = expected[src];
        delete expected[src];
      }
      assert.deepEqual(r.state, expected);
      return;
    }
    case 'mkdirSync': {
      if (events.length === 0) return refusedOrInvalid();
      const [event, p, mode] = events[0];
      assert.equal(event, 'os.mkdir');
      const leaf = local(p);
      const made = Object.keys(r.state).filter((key) => !Object.hasOwn(INITIAL, key));
      for (const key of made) assert.ok(`${leaf}/`.startsWith(key), `${key} is the audited directory or one of its parents`);
      if (made.includes(`${leaf}/`)) assert.equal(r.state[`${leaf}/`], (mode as number) & ~umask & 0o777);
      return;
    }
    case 'spawnSync': {
      assert.equal(events.length, 1);
      const [event, , argv] = events[0] as [string, string, string[]];
      assert.equal(event, 'subprocess.Popen');
      assert.equal(r.outcome.returned, `${argv.slice(1).join(' ')}\n`);
      return;
    }
    case 'kill': {
      if (events.length === 0) return refusedOrInvalid();
      assert.deepEqual(events, [['os.kill', events[0][1], 0]]);
      assert.equal(r.outcome.returned === true, events[0][1] === r.pid, 'the pid audited is the pid signalled');
      return;
    }
    default: throw new Error(c.api);
  }
}

/** An outcome and directory as plain Node has them: error messages name relative paths as given (see docs/security-model.md). */
function comparable(r: Result): unknown {
  return JSON.parse(JSON.stringify({ outcome: r.outcome, state: r.state }).replaceAll('$D/', '').replaceAll(String(r.pid), '$SELF'));
}

test('property: hostile arguments are audited as Node uses them, and behave as in plain Node', () => {
  fc.assert(fc.property(fc.array(anyCase, { minLength: 25, maxLength: 25 }), (cases) => {
    const audited = runScenario(scenario('arguments/property', cases));
    const plain = runScenario(scenario('arguments/property', cases), { plain: true });
    const { results, umask } = audited.result as { results: Result[]; umask: number };
    const plainResults = (plain.result as { results: Result[] }).results;
    assert.equal(results.length, cases.length, audited.stderr);
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const context = `case ${i}: ${JSON.stringify(c)}\naudited: ${JSON.stringify(results[i])}\nplain: ${JSON.stringify(plainResults[i])}`;
      try {
        checkAudited(c, results[i], umask);
        if (stable(c)) assert.deepEqual(comparable(results[i]), comparable(plainResults[i]));
      } catch (error) {
        throw new Error(`${context}\n${(error as Error).message}`);
      }
    }
  }), { numRuns: 20 });
});
