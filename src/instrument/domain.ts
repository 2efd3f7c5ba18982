/**
 * A domain: the instrumentation of one Node module (fs.ts audits node:fs, net.ts the socket
 * handles, ...), and the two phases in which it is installed, once per thread. The table of domains
 * is src/instrument/index.ts.
 *
 * What each phase may cost:
 * - `atLoad` runs when audithook loads (audithook/register, the agent, or the first hook, whichever
 *   comes first), before user code can take a reference to an uninstrumented function. It may only
 *   replace functions by wrappers that cost one check per call while no hook exists, and load nothing
 *   Node has not loaded at startup anyway (node:vm, ~0.1 ms, is one exception; inside Node's
 *   permission wall, where process.binding is refused, net.ts and child_process.ts load
 *   child_process, net, dgram and dns for their prototypes: natives.ts).
 * - `withFirstHook` runs when the first audit hook is added: what would cost something in a process
 *   without hooks (a Proxy on a hot object such as process.env). A built-in that costs to load
 *   (http, worker_threads, v8, readline, inspector, tls, undici) is not loaded here: it is
 *   instrumented when the program loads it (lazy-builtins.ts). Prototype methods patched then apply
 *   to every object; a module function or class taken before the first hook stays unaudited
 *   (docs/security-model.md), which a hook added by a preload closes.
 */
export interface Domain {
  readonly atLoad?: () => void;
  readonly withFirstHook?: () => void;
}
