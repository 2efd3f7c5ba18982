// The application: takes the route (route.txt), and gives evil a FileHandle of evil's own
// package.json that a thread evil runs in never opened. In the main thread it loads evil first,
// then receives the handle from a worker that opened it (through the worker's port, or a
// MessageChannel's port sent in workerData); for the worker routes it opens the handle and
// transfers it to a worker running this file (in workerData, deserialized before the worker's
// preloads run, or in a message), which loads evil there. It prints what evil's chmod did.
const { isMainThread, parentPort, workerData, Worker, MessageChannel } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
const route = globalThis.route = fs.readFileSync(new URL('./route.txt', import.meta.url), 'utf8');
const own = new URL('./node_modules/evil/package.json', import.meta.url).pathname;
const message = (port) => new Promise((resolve, reject) => port.once('message', resolve).once('error', reject));

/** A handle a worker opens and sends on `port` (its own parentPort, or one given it). */
async function fromWorker(throughPort) {
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    const port = workerData.port ?? parentPort;
    require('node:fs').promises.open(workerData.file).then((handle) => port.postMessage(handle, [handle]));`;
  const { port1, port2 } = new MessageChannel();
  const worker = throughPort
    ? new Worker(code, { eval: true, workerData: { file: own, port: port2 }, transferList: [port2] })
    : new Worker(code, { eval: true, workerData: { file: own } });
  const handle = await message(throughPort ? port1 : worker);
  port1.close();
  await worker.terminate();
  return handle;
}

if (!isMainThread) {
  const handle = route === 'worker-data' ? workerData.nested.list[0] : await message(parentPort);
  await import('evil');
  parentPort.postMessage(await globalThis.withHandle(handle));
} else if (route === 'worker-data' || route === 'worker-message') {
  const handle = await fs.promises.open(own);
  const worker = route === 'worker-data'
    ? new Worker(new URL(import.meta.url), { workerData: { nested: { list: [handle] } }, transferList: [handle] })
    : new Worker(new URL(import.meta.url));
  if (route === 'worker-message') worker.postMessage(handle, [handle]);
  process.stdout.write(`${JSON.stringify(await message(worker))}\n`);
} else {
  await import('evil');
  const handle = await fromWorker(route === 'port');
  process.stdout.write(`${JSON.stringify(await globalThis.withHandle(handle))}\n`);
}
