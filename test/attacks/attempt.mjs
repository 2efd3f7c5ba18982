// Shipped beside every attack as node_modules/evil/attempt.mjs: what an attempt did, and the report
// attackAsPackage reads (the last line of stdout).

/** 'done', or the code (else the message) of the error that stopped `action`. */
export function attempt(action) {
  try {
    action();
    return 'done';
  } catch (error) {
    return error.code ?? error.message;
  }
}

/** Prints `result` as JSON at exit, when every attempt (timers included) has run. */
export function reportAtExit(result) {
  process.on('exit', () => process.stdout.write(`${JSON.stringify(result)}\n`));
}
