/** `audithook events`: issue #6's report slice. */
export function runEvents(_options: { json?: boolean }): number {
  process.stderr.write('audithook events: not implemented yet\n');
  return 2;
}
