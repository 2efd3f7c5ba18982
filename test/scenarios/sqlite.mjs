// Scenarios of test/sqlite.test.ts: files a SQLite connection attaches after it is open.
import fs from 'node:fs';
import { errorData } from '../fixtures/outcome.mjs';

export async function attach(harness) {
  const { DatabaseSync, constants } = await import('node:sqlite');
  const D = harness.tmp();
  const db = new DatabaseSync(':memory:');
  const attempt = (run) => { try { run(); return 'ran'; } catch (error) { return errorData(error); } };
  const attached = attempt(() => db.exec(`ATTACH DATABASE '${D}/one.db' AS one`));
  const vacuumed = attempt(() => db.exec(`VACUUM INTO '${D}/copy.db'`));
  const bound = attempt(() => db.prepare('ATTACH ? AS two').run(`${D}/two.db`));
  // The program's own authorizer still decides, after audithook's.
  const seen = [];
  db.setAuthorizer((code, name) => { if (code === constants.SQLITE_ATTACH) seen.push(name); return name?.endsWith('denied.db') ? constants.SQLITE_DENY : constants.SQLITE_OK; });
  const denied = attempt(() => db.exec(`ATTACH '${D}/denied.db' AS denied`));
  harness.block('sqlite3.connect');
  const refused = attempt(() => db.exec(`ATTACH '${D}/refused.db' AS refused`));
  harness.unblock();
  db.setAuthorizer(null);
  // A connection opened later (open: false, then open()) has the authorizer too.
  const later = new DatabaseSync(':memory:', { open: false });
  later.open();
  const reopened = attempt(() => later.exec(`ATTACH '${D}/later.db' AS later`));
  harness.pause();
  const files = fs.readdirSync(D).sort();
  harness.done({ D, attached, vacuumed, bound, denied: denied.code ?? denied, refused, reopened, seen, files });
}

/** sqlite.backup writes the destination database: refused, no file. */
export async function backup(harness) {
  const sqlite = await import('node:sqlite');
  const D = harness.tmp();
  const db = new sqlite.DatabaseSync(':memory:');
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  harness.block('sqlite3.connect');
  let refused = null;
  try { await sqlite.backup(db, `${D}/refused.db`); } catch (error) { refused = error.code; }
  harness.unblock();
  const pages = await sqlite.backup(db, `${D}/copy.db`);
  harness.pause();
  harness.done({ D, refused, pages: typeof pages, files: fs.readdirSync(D).sort() });
}
