/** `audithook report`: issue #6's report slice. */
export function runReport(_log: string, _options: { html?: string }): number {
  process.stderr.write('audithook report: not implemented yet\n');
  return 2;
}
