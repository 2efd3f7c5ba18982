/** Module sources and names as the loaders hand them over. */
import { FileURLToPath, ReflectApply, StringPrototypeSlice } from '../../core/primordials.js';

const decoder = new TextDecoder();
const decode = TextDecoder.prototype.decode;

/** A module's source (text or bytes) as text. */
export function sourceText(source: string | Uint8Array): string {
  return typeof source === 'string' ? source : ReflectApply(decode, decoder, [source]);
}

/** A module's filename as events carry it: the path of a file: URL, any other URL as is. */
export function toFilename(url: string): string {
  return StringPrototypeSlice(url, 0, 5) === 'file:' ? FileURLToPath(url) : url;
}
