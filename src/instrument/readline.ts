/**
 * readline questions: `builtins.input` (prompt) before the prompt is written, and
 * `builtins.input/result` (result) when the answer arrives, before the caller gets it.
 *
 * Both readline's Interface#question (callback) and readline/promises' Interface#question ask
 * through the shared base class's [kQuestion](query, cb), wrapped here once for both. A question
 * asked while another is pending only re-prompts (Node keeps the first): it raises nothing.
 * A hook that refuses the prompt makes question() throw (the promise form rejects); one that
 * refuses the result throws where readline delivers the line, and the caller never gets it.
 */
import { isAuditing } from '../core/kernel.js';
import {
  ObjectGetOwnPropertySymbols, ObjectGetPrototypeOf, ReflectApply, StringCtor, SymbolPrototypeGetDescription,
} from '../core/primordials.js';
import { raise, replaceFunction } from './wrap.js';
import type { Domain } from './domain.js';

/** The symbol-keyed method of `prototype` whose symbol is described as `description`. */
function symbolNamed(prototype: object, description: string): symbol | undefined {
  const symbols = ObjectGetOwnPropertySymbols(prototype);
  for (let i = 0; i < symbols.length; i++) {
    if (SymbolPrototypeGetDescription(symbols[i] as symbol) === description) return symbols[i];
  }
  return undefined;
}

export const readlineDomain: Domain = {
  withFirstHook() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup
    installReadline(require('node:readline') as { Interface: { prototype: object } });
  },
};

function installReadline(readline: { Interface: { prototype: object } }): void {
  const base = ObjectGetPrototypeOf(readline.Interface.prototype) as Record<symbol, unknown>;
  const kQuestion = symbolNamed(base, 'kQuestion');
  if (kQuestion === undefined) return;
  replaceFunction(base, kQuestion, (question) => function (this: unknown, query: unknown, cb: unknown) {
    // A closed interface throws, and a pending question only re-prompts: neither asks anything.
    if (!isAuditing() || typeof cb !== 'function' || (this as { closed?: unknown }).closed === true) {
      return ReflectApply(question, this, [query, cb]);
    }
    // The pending question's callback is an own property of the interface, set on its first question.
    const kQuestionCallback = symbolNamed(this as object, '_questionCallback');
    if (kQuestionCallback !== undefined && (this as Record<symbol, unknown>)[kQuestionCallback]) return ReflectApply(question, this, [query, cb]);
    raise('builtins.input', [StringCtor(query)]);
    const answered = function (this: unknown, answer: unknown): unknown {
      if (isAuditing()) raise('builtins.input/result', [answer as string]);
      return ReflectApply(cb as (answer: unknown) => unknown, this, [answer]);
    };
    return ReflectApply(question, this, [query, answered]);
  });
}
