/** `audithook run`: issue #6's run slice. */
export function runCommand(_command: readonly string[], _options: { log?: string; policy?: string }): Promise<number> {
  process.stderr.write('audithook run: not implemented yet\n');
  return Promise.resolve(2);
}
