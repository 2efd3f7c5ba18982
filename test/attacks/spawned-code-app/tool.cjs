// The application's own code: writes the file it is given (the last argument) and says what the write did.
const { writeFileSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');

const file = process.argv[process.argv.length - 1];
let outcome;
try {
  writeFileSync(file, 'x');
  outcome = 'written';
} catch (error) {
  outcome = error.code ?? error.message;
}
if (parentPort) parentPort.postMessage(outcome);
else process.stdout.write(`${JSON.stringify(outcome)}\n`);
