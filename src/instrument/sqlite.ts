/**
 * node:sqlite: `sqlite3.connect` (database) when a database is opened (the DatabaseSync
 * constructor, unless `open: false`, and DatabaseSync#open), `sqlite3.enable_load_extension`
 * (connection, enabled) for DatabaseSync#enableLoadExtension and for the `allowExtension: true`
 * option (raised with the connect, connection null: the object does not exist yet), and
 * `sqlite3.load_extension` (connection, path) for DatabaseSync#loadExtension, the only way to load
 * one: Node enables SQLite's C interface alone (SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION), so the SQL
 * function load_extension() is never authorized (test/native.test.ts). `database` is the path,
 * ':memory:', or a file URL's path.
 *
 * sqlite.backup(source, path) writes a copy into the database at `path`: `sqlite3.connect` (path),
 * the destination it opens, before the promise is made.
 *
 * Once a connection is open, `sqlite3.connect/handle` (connection) names it, as CPython's connect
 * passes its connection object after sqlite3_open_v2: the DatabaseSync (new, or reopened by
 * #open). A hook that refuses it gets the connection closed again, and the caller the error: the
 * constructor throws (no object), open() throws and the database stays closed.
 *
 * `ATTACH DATABASE 'path'` (and `VACUUM INTO 'path'`, which SQLite authorizes as an attach) opens
 * another file on an open connection: where Node has DatabaseSync#setAuthorizer (Node 24 on), each
 * connection gets an authorizer that raises `sqlite3.connect` with the file name SQLite reports, when
 * the statement is prepared; null when the name is a parameter bound later (`ATTACH ? AS x`). A hook's
 * error fails the prepare and nothing is attached. The program's own authorizer still runs, after it:
 * setAuthorizer sets the program's, not the connection's. An authorizer is a JavaScript call per
 * action of each statement prepared, only on connections made with hooks.
 *
 * Loaded with the first hook (see index.ts), only where Node has the module without a flag or a
 * warning; the prototype methods apply to every database, the constructor to those made after.
 */
import { isAuditing } from '../core/kernel.js';
import {
  FileURLToPath, NumberParseInt, ReflectApply, StringPrototypeStartsWith, WeakMapCtor, WeakMapPrototypeDelete, WeakMapPrototypeGet,
  WeakMapPrototypeSet, isUint8Array, nullPrototype,
} from '../core/primordials.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { INVALID, guardedURL, optionOf, pathForCall, readOptions, toPath } from './args.js';
import { andThen, instrument, instrumentConstructor, operation, raise, REJECTS, replaceFunction, THROWS } from './wrap.js';
import type { Callable, Describe } from './wrap.js';


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

/** sqlite.backup(source, path[, options]): the destination, handed to Node as the path audited. */
const describeBackup: Describe = (args) => {
  const path = databaseName(args[1]);
  if (path === undefined) return undefined;
  args[1] = pathForCall(args[1], path);
  return operation('sqlite3.connect', [path]);
};

interface SqliteModule {
  DatabaseSync: { prototype: { setAuthorizer?: Callable; isOpen?: boolean } };
  constants: { SQLITE_ATTACH?: number; SQLITE_OK?: number };
}

/** The program's own authorizer of each connection (setAuthorizer), which runs after audithook's. */
const programAuthorizers = new WeakMapCtor<object, Callable>();

export const sqliteDomain: Domain = {
  withFirstHook() {
    // node:sqlite loads without a flag or an experimental warning from Node 24 on.
    if (NODE_MAJOR < 24) return;
    instrumentWhenLoaded('sqlite', (sqlite) => installSqlite(sqlite as unknown as SqliteModule));
  },
};

/** Raises `sqlite3.connect/handle` for a connection just opened; refused, the connection is closed and the error thrown. */
function auditHandle(db: object): void {
  if (!isAuditing() || (db as { isOpen?: unknown }).isOpen !== true) return;
  try {
    raise('sqlite3.connect/handle', [db]);
  } catch (error) {
    ReflectApply((db as { close: Callable }).close, db, []);
    throw error;
  }
}

function installSqlite(sqlite: SqliteModule): void {
  const DatabaseSync = sqlite.DatabaseSync;
  instrument(DatabaseSync.prototype, 'open', describeOpen, THROWS);
  // After the audited open (sqlite3.connect, before) the connection exists: its handle event follows.
  replaceFunction(DatabaseSync.prototype, 'open', (original) => function open(this: unknown) {
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    const result = ReflectApply(original, this, arguments as unknown as unknown[]);
    auditHandle(this as object);
    return result;
  });
  const authorize = installAuthorizer(sqlite);
  instrument(sqlite, 'backup', describeBackup, REJECTS);
  instrument(DatabaseSync.prototype, 'enableLoadExtension', describeEnableLoadExtension, THROWS);
  instrument(DatabaseSync.prototype, 'loadExtension', describeLoadExtension, THROWS);
  instrumentConstructor(sqlite, 'DatabaseSync', describeConstruct, {
    constructed(db, args) {
      const database = databaseName(args[0]);
      if (database !== undefined) WeakMapPrototypeSet(databases, db, database);
      auditHandle(db);
      authorize?.(db);
    },
  });
}


/**
 * Wraps setAuthorizer and open so that every connection keeps audithook's authorizer; returns what
 * installs it on a new database, or undefined where Node has no setAuthorizer.
 */
function installAuthorizer(sqlite: SqliteModule): ((db: object) => void) | undefined {
  const prototype = sqlite.DatabaseSync.prototype;
  const setAuthorizer = prototype.setAuthorizer;
  const ATTACH = sqlite.constants.SQLITE_ATTACH;
  const OK = sqlite.constants.SQLITE_OK;
  if (typeof setAuthorizer !== 'function' || ATTACH === undefined || OK === undefined) return undefined;
  const authorizerOf = (db: object): Callable => function authorizer(...args: unknown[]): unknown {
    if (args[0] === ATTACH && isAuditing()) raise('sqlite3.connect', [typeof args[1] === 'string' ? args[1] : null]);
    const program = WeakMapPrototypeGet(programAuthorizers, db);
    return program === undefined ? OK : ReflectApply(program, undefined, args);
  };
  const install = (db: object): void => {
    if ((db as { isOpen?: unknown }).isOpen === true) ReflectApply(setAuthorizer, db, [authorizerOf(db)]);
  };
  replaceFunction(prototype, 'setAuthorizer', (original) => function setAuthorizer(this: unknown, callback: unknown) {
    // Node validates the callback (a function or null) and the connection (open): its own errors.
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    ReflectApply(original, this, arguments as unknown as unknown[]);
    if (typeof callback === 'function') WeakMapPrototypeSet(programAuthorizers, this as object, callback as Callable);
    else WeakMapPrototypeDelete(programAuthorizers, this as object);
    install(this as object);
    return undefined;
  });
  // open() makes a new connection, which needs the authorizer again.
  replaceFunction(prototype, 'open', (original) => function open(this: unknown) {
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    const result = ReflectApply(original, this, arguments as unknown as unknown[]);
    install(this as object);
    return result;
  });
  return install;
}
