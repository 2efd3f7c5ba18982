/**
 * async_hooks.createHook (callbacks): CPython's sys.setprofile analog, a hook that sees every
 * asynchronous operation of the thread. Raised with the callbacks object as given. Node's own
 * internal hooks (AsyncLocalStorage) are made inside Node and raise nothing.
 */
import type { Domain } from './domain.js';
import { THROWS, instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

const describeCreateHook: Describe = (args) =>
  args[0] !== null && typeof args[0] === 'object' ? operation('async_hooks.createHook', [args[0]]) : undefined;

export const asyncHooksDomain: Domain = {
  atLoad() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded by Node's bootstrap
    instrument(require('node:async_hooks') as object, 'createHook', describeCreateHook, THROWS);
  },
};
