/**
 * The codes of the errors audithook throws inside audited processes, in one place (the CLI's own
 * are in src/cli/output.ts): ERR_ACCESS_DENIED, the code of Node's own permission model, for every
 * refusal, and ERR_AUDITHOOK_* for what is audithook's alone.
 */
import { ErrorCtor, defineValue } from './primordials.js';

export const ERR_ACCESS_DENIED = 'ERR_ACCESS_DENIED';
export const ERR_AUDITHOOK_UNAUDITABLE_SOURCE = 'ERR_AUDITHOOK_UNAUDITABLE_SOURCE';
export const ERR_AUDITHOOK_NOT_INSTRUMENTED = 'ERR_AUDITHOOK_NOT_INSTRUMENTED';

/** An Error with `code` ERR_ACCESS_DENIED, set as an own property (a prototype's setter is not called). */
export function accessDenied(message: string): Error {
  const error = new ErrorCtor(message);
  defineValue(error, 'code', ERR_ACCESS_DENIED);
  return error;
}
