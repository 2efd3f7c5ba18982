/**
 * readline questions: `builtins.input` (prompt) before the prompt is written, and
 * `builtins.input/result` (result) when the answer arrives, before the caller gets it.
 *
 * Both readline's Interface#question (callback) and readline/promises' Interface#question ask
 * through the shared base class's [kQuestion](query, cb), wrapped here once for both. A question
 * asked while another is pending only re-prompts (Node keeps the first): it raises nothing.
 * A hook that refuses the prompt makes question() throw (the promise form rejects). One that
 * refuses the result keeps the answer from the caller, and its error reaches the caller as
 * readline's own errors do: the promise form's question rejects with it; the callback form, which
 * has no error argument, gets the interface's 'error' event (as for an input stream that fails).
 * Either way the question is over: the next one asks again.
 */
import { isAuditing } from '../core/kernel.js';
import {
  ObjectGetOwnPropertySymbols, ObjectGetPrototypeOf, PromiseCtor, PromisePrototypeThen, ReflectApply, StringCtor, SymbolPrototypeGetDescription,
} from '../core/primordials.js';
import { raise, replaceFunction } from './wrap.js';
import type { Domain } from './domain.js';
import { builtinModule, instrumentWhenLoaded } from './lazy-builtins.js';

/** The symbol-keyed method of `prototype` whose symbol is described as `description`. */
function symbolNamed(prototype: object, description: string): symbol | undefined {
  const symbols = ObjectGetOwnPropertySymbols(prototype);
  for (let i = 0; i < symbols.length; i++) {
    if (SymbolPrototypeGetDescription(symbols[i] as symbol) === description) return symbols[i];
  }
  return undefined;
}

interface ReadlineModule { Interface: { prototype: object } }

/** Instrumented when the program loads readline, readline/promises or repl (whose REPLServer is an Interface). */
export const readlineDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('readline', (readline) => {
      installReadline(readline as unknown as ReadlineModule, builtinModule('readline/promises') as unknown as ReadlineModule);
    }, ['readline/promises', 'repl']);
  },
};

/** The reject of the promise readline/promises' question returns, while that question asks (synchronously). */
let rejectAsking: ((error: unknown) => void) | undefined;

function installReadline(readline: ReadlineModule, readlinePromises: ReadlineModule): void {
  const base = ObjectGetPrototypeOf(readline.Interface.prototype) as Record<symbol, unknown>;
  const kQuestion = symbolNamed(base, 'kQuestion');
  if (kQuestion === undefined) return;
  // The promise form resolves with the answer and has no way to reject with a refused one: its
  // promise is followed by one of audithook's, which the refusal can reject.
  replaceFunction(readlinePromises.Interface.prototype, 'question', (question) => function (this: unknown, ...args: unknown[]) {
    if (!isAuditing()) return ReflectApply(question, this, args);
    return new PromiseCtor((resolve, reject) => {
      const outer = rejectAsking;
      rejectAsking = reject;
      try {
        void PromisePrototypeThen(ReflectApply(question, this, args) as Promise<unknown>, resolve, reject);
      } finally {
        rejectAsking = outer;
      }
    });
  });
  replaceFunction(base, kQuestion, (question) => function (this: unknown, query: unknown, cb: unknown) {
    // A closed interface throws, and a pending question only re-prompts: neither asks anything.
    if (!isAuditing() || typeof cb !== 'function' || (this as { closed?: unknown }).closed === true) {
      return ReflectApply(question, this, [query, cb]);
    }
    // The pending question's callback is an own property of the interface, set on its first question.
    const kQuestionCallback = symbolNamed(this as object, '_questionCallback');
    if (kQuestionCallback !== undefined && (this as Record<symbol, unknown>)[kQuestionCallback]) return ReflectApply(question, this, [query, cb]);
    raise('builtins.input', [StringCtor(query)]);
    const refuse = rejectAsking;
    const rl = this as { emit(event: string, error: unknown): boolean };
    const answered = function (this: unknown, answer: unknown): unknown {
      if (isAuditing()) {
        try {
          raise('builtins.input/result', [answer as string]);
        } catch (error) {
          // readline cleared the pending question before calling back: the next one asks anew.
          if (refuse !== undefined) refuse(error);
          else rl.emit('error', error);
          return undefined;
        }
      }
      return ReflectApply(cb as (answer: unknown) => unknown, this, [answer]);
    };
    return ReflectApply(question, this, [query, answered]);
  });
}
