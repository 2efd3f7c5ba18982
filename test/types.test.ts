/**
 * The typed API. Most assertions here are checked by the compiler (`npm test` compiles the tests
 * first, so a wrong type fails the suite); the runtime test confirms the typed calls behave.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvents, AuditHook, OpenCodeHook } from '../src/index';

// The types of the source, the behaviour of the built package (the runtime runs only bundled).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package by its name, typed by its source
const { addAuditHook, audit } = require('audithook') as typeof import('../src/index');
type SetOpenCodeHook = typeof import('../src/index').setOpenCodeHook;

declare module '../src/index' {
  interface AuditEvents {
    'mylib.fetch_plugin': [url: string, size: number];
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T extends true>(_proof: T): void {}

expectType<Equal<AuditEvents['os.rename'], readonly [string, string, null, null]>>(true);
expectType<Equal<AuditEvents['open'], readonly [string, string | null, number]>>(true);
expectType<Equal<AuditEvents['mylib.fetch_plugin'], [url: string, size: number]>>(true);
expectType<Equal<AuditEvents['import'], readonly [string, string, readonly string[] | null, null, null]>>(true);
expectType<Equal<Parameters<OpenCodeHook>, [path: string, source: string]>>(true);
expectType<Equal<SetOpenCodeHook, (hook: OpenCodeHook) => void>>(true);

/** Compiled, never called: the compiler checks the narrowing and the argument checks. */
function typedUsage(): void {
  const hook: AuditHook = (event, args) => {
    void args;
    if (event === 'os.rename') {
      expectType<Equal<typeof args[0], string>>(true);
      expectType<Equal<typeof args[1], string>>(true);
    }
    if (event === 'mylib.fetch_plugin') {
      expectType<Equal<typeof args[1], number>>(true);
    }
  };
  addAuditHook(hook);
  audit('mylib.fetch_plugin', 'https://plugins.example/x', 10);
  audit('undeclared.event', { anything: true }, 1);
  // @ts-expect-error: a declared event's arguments are checked
  audit('mylib.fetch_plugin', 10);
  // @ts-expect-error: so are the catalogue's
  audit('os.rename', '/a');
}

test('the typed entry point raises declared and undeclared events alike', () => {
  void typedUsage;
  const seen: string[] = [];
  assert.equal(addAuditHook((event) => { if (event.startsWith('mylib.') || event.startsWith('undeclared.')) seen.push(event); }), true);
  audit('mylib.fetch_plugin', 'https://plugins.example/x', 10);
  audit('undeclared.event', 1);
  assert.deepEqual(seen, ['mylib.fetch_plugin', 'undeclared.event']);
});
