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
import {
  FileURLToPath, NumberParseInt, ProcessGetBuiltinModule, StringPrototypeStartsWith, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, isUint8Array, nullPrototype,
} from '../core/primordials.js';
import type { Domain } from './domain.js';
import { INVALID, guardedURL, optionOf, readOptions, toPath } from './args.js';
import { andThen, instrument, instrumentConstructor, operation, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';


const NODE_MAJOR = NumberParseInt(process.versions.node, 10);

/** The database each instance names, for DatabaseSync#open (which takes no path). */
const databases = new WeakMapCtor<object, string>();

/**
 * The binding takes a string, bytes, or any object whose `href` is a string starting with `file:`
 * (a URI SQLite parses itself). An object's href is read once: `connectable` is what the binding
 * then gets, an object with that href as own data.
 */
function databaseName(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || isUint8Array(value)) {
    const path = toPath(value);
    return path === INVALID ? undefined : path;
  }
  const href = (value as { href?: unknown }).href;
  return typeof href === 'string' && StringPrototypeStartsWith(href, 'file:') ? uriPath(href) : undefined;
}

/** The path of a file: URI, or the URI itself when it does not parse as a URL (SQLite may still open it). */
function uriPath(href: string): string {
  try {
    return FileURLToPath(guardedURL(href));
  } catch {
    return href;
  }
}

function connectable(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || isUint8Array(value)) return value;
  return nullPrototype({ href: (value as { href?: unknown }).href });
}

/** The options the binding reads by name. */
const DATABASE_OPTIONS = [
  'open', 'readOnly', 'enableForeignKeyConstraints', 'enableDoubleQuotedStringLiterals', 'allowExtension', 'timeout',
  'readBigInts', 'returnArrays', 'allowBareNamedParameters', 'allowUnknownNamedParameters', 'defensive', 'limits',
] as const;

const describeOpen: Describe = (_args, db) => {
  const database = WeakMapPrototypeGet(databases, db as object);
  return database === undefined ? undefined : operation('sqlite3.connect', [database]);
};

const describeEnableLoadExtension: Describe = (args, db) =>
  typeof args[0] === 'boolean' ? operation('sqlite3.enable_load_extension', [db, args[0]]) : undefined;

const describeLoadExtension: Describe = (args, db) =>
  typeof args[0] === 'string' ? operation('sqlite3.load_extension', [db, args[0]]) : undefined;

/**
 * new DatabaseSync(path, options): opens at once unless `open: false`; `allowExtension` enables
 * extensions from the start. The binding gets the href and options as read here.
 */
const describeConstruct: Describe = (args) => {
  args[0] = connectable(args[0]);
  const database = databaseName(args[0]);
  const options = readOptions(args[1], DATABASE_OPTIONS);
  // The binding counts its arguments: an absent options argument stays absent.
  if (args.length > 1) args[1] = options;
  if (database === undefined || optionOf(options, 'open') === false) return undefined;
  const connect = operation('sqlite3.connect', [database]);
  return optionOf(options, 'allowExtension') === true ? andThen(connect, operation('sqlite3.enable_load_extension', [null, true])) : connect;
};

interface SqliteModule {
  DatabaseSync: { prototype: object };
}

export const sqliteDomain: Domain = {
  withFirstHook() {
    // node:sqlite loads without a flag or an experimental warning from Node 24 on.
    if (NODE_MAJOR < 24) return;
    const sqlite = ProcessGetBuiltinModule?.('node:sqlite') as SqliteModule | undefined;
    if (sqlite !== undefined) installSqlite(sqlite);
  },
};

function installSqlite(sqlite: SqliteModule): void {
  const DatabaseSync = sqlite.DatabaseSync;
  instrument(DatabaseSync.prototype, 'open', describeOpen, THROWS);
  instrument(DatabaseSync.prototype, 'enableLoadExtension', describeEnableLoadExtension, THROWS);
  instrument(DatabaseSync.prototype, 'loadExtension', describeLoadExtension, THROWS);
  instrumentConstructor(sqlite, 'DatabaseSync', describeConstruct, {
    constructed(db, args) {
      const database = databaseName(args[0]);
      if (database !== undefined) WeakMapPrototypeSet(databases, db, database);
    },
  });
}

