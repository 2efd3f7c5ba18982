/**
 * Secrets stay out of the log: `audithook run` writes each record with the arguments the catalogue
 * marks secret (`secret` in src/catalogue/types.ts) replaced, unless `--log-secrets`. The policy
 * decided on the real values in the audited process; the log keeps what a reader needs to see
 * what happened (keys, sizes, hosts) and a short hash where two values must be told apart.
 *
 * A redacted value is `{ "$redacted": "<kind>", "size": N, "sha256": "<first 12 hex digits>" }`.
 */
import { createHash } from 'node:crypto';
import { events as catalogue } from '../catalogue/index.js';
import type { ArgSpec, SecretKind } from '../catalogue/index.js';

/** Headers whose value is a credential, lower-cased. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

interface SecretArg {
  readonly index: number;
  readonly secret: SecretKind | 'url';
}

/** For each event with secret arguments, which ones and how. */
const SECRETS = new Map<string, readonly SecretArg[]>();
for (const spec of catalogue) {
  const secrets: SecretArg[] = [];
  spec.args.forEach((arg: ArgSpec, index) => {
    if (arg.secret !== undefined) secrets.push({ index, secret: arg.secret });
    else if (arg.kind === 'url') secrets.push({ index, secret: 'url' });
  });
  if (secrets.length > 0) SECRETS.set(spec.name, secrets);
}

/** Whether records of `event` may carry a secret (most do not: their line is written as it came). */
export function mayCarrySecrets(event: string): boolean {
  return SECRETS.has(event);
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

function redacted(kind: string, value: unknown): Record<string, unknown> {
  // The agent's JSON-safe values: strings, or { $type, size, utf8 | hex } for bytes.
  if (typeof value === 'string') return { $redacted: kind, size: value.length, sha256: digest(value) };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { $type, size, utf8, hex } = value as Record<string, unknown>;
    const content = typeof utf8 === 'string' ? utf8 : typeof hex === 'string' ? hex : JSON.stringify(value);
    return { $redacted: kind, ...typeof $type === 'string' ? { $type } : {}, ...typeof size === 'number' ? { size } : {}, sha256: digest(content) };
  }
  return value === null || value === undefined ? { $redacted: kind } : { $redacted: kind, sha256: digest(JSON.stringify(value)) };
}

/** `https://user:pass@host/p?token=x#f` as `https://***:***@host/p?token=***#f`: who and where stay, credentials and query values go. */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.username !== '') url.username = '***';
  if (url.password !== '') url.password = '***';
  const keys = [...url.searchParams.keys()];
  if (keys.length > 0) url.search = keys.map((key) => `${encodeURIComponent(key)}=***`).join('&');
  return url.href;
}

function redactEnvironment(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return redacted('environment', value);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, redacted('value', entry)]));
}

function redactHeaders(value: unknown): unknown {
  if (Array.isArray(value)) {
    const list = value as unknown[];
    // [[name, value], ...] or the flat [name, value, name, value, ...] that Node's raw headers are.
    if (list.every((pair) => Array.isArray(pair))) return list.map((pair) => redactHeaders(Object.fromEntries([pair as [unknown, unknown]])));
    return list.map((entry, index) => (index % 2 === 1 && CREDENTIAL_HEADERS.has(String(list[index - 1]).toLowerCase()) ? redacted('header', entry) : entry));
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>)
    .map(([key, entry]) => [key, CREDENTIAL_HEADERS.has(key.toLowerCase()) ? redacted('header', entry) : entry]));
}

function redactArg(secret: SecretKind | 'url', value: unknown): unknown {
  switch (secret) {
    case 'value':
      return redacted('value', value);
    case 'environment':
      return redactEnvironment(value);
    case 'headers':
      return redactHeaders(value);
    case 'body':
      return value === null || value === undefined ? value : redacted('body', value);
    case 'request':
      return redactRequest(value);
    case 'url':
      return typeof value === 'string' ? redactUrl(value) : value;
  }
}

/** A request object's `path` (`/p?token=x`) with its query values redacted, as a URL's. */
function redactRequest(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { path } = value as { path?: unknown };
  if (typeof path !== 'string' || !path.includes('?')) return value;
  const base = 'http://host';
  return { ...value, path: redactUrl(`${base}${path.startsWith('/') ? '' : '/'}${path}`).slice(base.length) };
}

/** The record's arguments with their secrets replaced (a new array), for an event mayCarrySecrets says yes to. */
export function redactArgs(event: string, args: readonly unknown[]): unknown[] {
  const result = [...args];
  for (const { index, secret } of SECRETS.get(event) ?? []) {
    if (index < result.length) result[index] = redactArg(secret, result[index]);
  }
  return result;
}
