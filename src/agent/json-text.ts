/**
 * JSON text for the log's arguments and package chains, written without JSON.stringify's `toJSON`
 * look-ups: a program that puts `toJSON` on Object.prototype or Array.prototype must not rewrite
 * what the log says. The values are json-safe.ts's output and PackageRefs: null, booleans,
 * numbers, strings, arrays and plain objects with own data properties.
 */
import { ArrayIsArray, NumberIsFinite, ObjectKeys } from '../core/primordials.js';

/** Only ever given strings: JSON.stringify looks up no toJSON on a primitive. */
const quote = JSON.stringify as (text: string) => string;

export function jsonText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return NumberIsFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return ArrayIsArray(value) ? arrayText(value) : objectText(value as Record<string, unknown>);
    default:
      return 'null';
  }
}

function arrayText(values: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) text += `${i === 0 ? '' : ','}${jsonText(values[i])}`;
  return `${text}]`;
}

function objectText(object: Record<string, unknown>): string {
  const keys = ObjectKeys(object);
  let text = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = object[key];
    // As JSON.stringify: properties without a JSON value are left out.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    text += `${first ? '' : ','}${quote(key)}:${jsonText(value)}`;
    first = false;
  }
  return `${text}}`;
}
