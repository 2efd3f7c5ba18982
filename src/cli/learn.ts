/** `audithook policy learn`: issue #6's policy slice. */
export function runPolicyLearn(_logs: readonly string[], _options: { output?: string }): number {
  process.stderr.write('audithook policy learn: not implemented yet\n');
  return 2;
}
