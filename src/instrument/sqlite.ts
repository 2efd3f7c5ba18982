/**
 * node:sqlite: `sqlite3.connect` (database) when a database is opened (the DatabaseSync
 * constructor, unless `open: false`, and DatabaseSync#open), `sqlite3.enable_load_extension`
 * (connection, enabled) for DatabaseSync#enableLoadExtension and for the `allowExtension: true`
 * option (raised with the connect, connection null: the object does not exist yet), and
 * `sqlite3.load_extension` (connection, path) for DatabaseSync#loadExtension. The SQL function
 * load_extension() runs only once extensions were enabled, so enable_load_extension is its gate,
 * as in CPython. `database` is the path, ':memory:', or a file URL's path.
 *
 * Loaded with the first hook (see index.ts), only where Node has the module without a flag or a
 * warning; the prototype methods apply to every database, the constructor to those made after.
 */
import { dispatch, isAuditing } from '../core/kernel.js';
import { ObjectFreeze, ReflectConstruct, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet } from '../core/primordials.js';
import { INVALID, toPath } from './args.js';
import { instrument, operation, replaceConstructor, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';


/** The database each instance names, for DatabaseSync#open (which takes no path). */
const databases = new WeakMapCtor<object, string>();

function databaseName(value: unknown): string | undefined {
  const path = toPath(value);
  return path === INVALID ? undefined : path;
}

const describeOpen: Describe = (_args, db) => {
  const database = WeakMapPrototypeGet(databases, db as object);
  return database === undefined ? undefined : operation('sqlite3.connect', [database]);
};

const describeEnableLoadExtension: Describe = (args, db) =>
  typeof args[0] === 'boolean' ? operation('sqlite3.enable_load_extension', [db, args[0]]) : undefined;

const describeLoadExtension: Describe = (args, db) =>
  typeof args[0] === 'string' ? operation('sqlite3.load_extension', [db, args[0]]) : undefined;

interface SqliteModule {
  DatabaseSync: { prototype: object };
}

export function installSqlite(sqlite: SqliteModule): void {
  const DatabaseSync = sqlite.DatabaseSync;
  instrument(DatabaseSync.prototype, 'open', describeOpen, THROWS);
  instrument(DatabaseSync.prototype, 'enableLoadExtension', describeEnableLoadExtension, THROWS);
  instrument(DatabaseSync.prototype, 'loadExtension', describeLoadExtension, THROWS);
  replaceConstructor(sqlite, 'DatabaseSync', (original, args, newTarget) => {
    const database = databaseName(args[0]);
    const options = args[1] as { open?: unknown; allowExtension?: unknown } | undefined;
    if (database !== undefined && isAuditing() && options?.open !== false) {
      dispatch('sqlite3.connect', ObjectFreeze([database]));
      if (options?.allowExtension === true) dispatch('sqlite3.enable_load_extension', ObjectFreeze([null, true]));
    }
    const db = ReflectConstruct(original, args, newTarget);
    if (database !== undefined) WeakMapPrototypeSet(databases, db, database);
    return db;
  });
}

