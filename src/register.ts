/**
 * `node --import audithook/register app.js` or `node -r audithook/register app.js`: installs the
 * runtime instrumentation before the application's first line, so no reference to an
 * uninstrumented built-in escapes.
 */
import { runtime } from './runtime.js';

runtime.installInstrumentation();
// Under -r, Node's preload loader is this module's parent; imported (--import), it has none.
runtime.announceStartup(module.parent?.id === 'internal/preload');
