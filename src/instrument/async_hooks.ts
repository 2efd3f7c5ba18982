/**
 * async_hooks.createHook (callbacks): CPython's sys.setprofile analog, a hook that sees every
 * asynchronous operation of the thread. Raised with the callbacks object as given. Node's own
 * internal hooks (AsyncLocalStorage) are made inside Node and raise nothing.
 */
import { instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

const describeCreateHook: Describe = (args) =>
  args[0] !== null && typeof args[0] === 'object' ? operation('async_hooks.createHook', [args[0]]) : undefined;

export function installAsyncHooks(asyncHooks: object): void {
  instrument(asyncHooks, 'createHook', describeCreateHook, { delivery: 'throw' });
}
