// What a compatibility scenario prints: its outcome as one JSON line, compared across modes.
export function report(outcome) {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
