// The application: takes the route evil is to try (route.txt) and loads evil, with no ES import of
// node:fs, whose exports read every getter of fs (the file stream classes among them). For the
// 'transferred' routes it first receives a FileHandle (of evil's own package.json) from a worker,
// as a program using workers may, and hands it to evil: the main thread never opened a file.
const fs = process.getBuiltinModule('node:fs');
globalThis.route = fs.readFileSync(new URL('./route.txt', import.meta.url), 'utf8');
if (globalThis.route.startsWith('transferred')) {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    require('node:fs').promises.open(workerData).then((handle) => parentPort.postMessage(handle, [handle]));`;
  const worker = new Worker(code, { eval: true, workerData: new URL('./node_modules/evil/package.json', import.meta.url).pathname });
  globalThis.handle = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  await worker.terminate();
}
await import('evil');
