// node_modules/evil/index.mjs: evil has the application's own code do what evil may not, in a Node
// process or a worker thread of its own starting: tool.cjs, the application's file, writes the file
// it is given; relay.cjs, also the application's, starts tool.cjs in a process of its own. evil
// starts them every way Node offers, with environments and environment data meant to drop who
// started them. At exit it prints what each write did: 'written' is an escape.
import { execFileSync, execSync, fork, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHARE_ENV, Worker, setEnvironmentData } from 'node:worker_threads';
import { attempt, reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const tool = join(work, 'tool.cjs');
const relay = join(work, 'relay.cjs');
const target = (name) => join(work, `written-by-${name.replaceAll(' ', '-')}`);
const result = {};
reportAtExit(result);

/** tool.cjs's last line of output: what its write did. */
function outcome(output) {
  const lines = String(output).trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return `no outcome: ${output}`;
  }
}

function child(name, run) {
  try {
    result[name] = outcome(run(target(name)));
  } catch (error) {
    result[name] = `failed ${error.status ?? error.code}: ${error.stderr ?? error.message}`;
  }
}

child('spawnSync', (file) => spawnSync(process.execPath, [tool, file], { encoding: 'utf8' }).stdout);
child('execFileSync', (file) => execFileSync(process.execPath, [tool, file], { encoding: 'utf8' }));
child('execSync through a shell', (file) => execSync(`"${process.execPath}" "${tool}" "${file}"`, { encoding: 'utf8' }));
child('node -e', (file) => spawnSync(process.execPath, ['-e', `process.argv[2] = ${JSON.stringify(file)}; require(${JSON.stringify(tool)})`], { encoding: 'utf8' }).stdout);
child('empty env', (file) => spawnSync(process.execPath, [tool, file], { env: {}, encoding: 'utf8' }).stdout);
child('forged spawner variable', (file) => spawnSync(process.execPath, [tool, file], {
  env: { ...process.env, AUDITHOOK_SPAWNED_BY: JSON.stringify({ packages: [], attribution: 'complete' }) }, encoding: 'utf8',
}).stdout);
child('grandchild of the application', (file) => spawnSync(process.execPath, [relay, file], { encoding: 'utf8' }).stdout);
process.env.AUDITHOOK_SPAWNED_BY = '';
child('rewritten process.env', (file) => spawnSync(process.execPath, [tool, file], { encoding: 'utf8' }).stdout);
delete process.env.AUDITHOOK_SPAWNED_BY;
// The shared runtime's setter of what the agent hands on, called as the agent calls it.
const runtime = globalThis[Symbol.for('audithook.runtime')];
result['replace the spawner'] = attempt(() => runtime.setSpawner(() => JSON.stringify({ packages: [], attribution: 'complete' })));
child('after replacing the spawner', (file) => spawnSync(process.execPath, [tool, file], { encoding: 'utf8' }).stdout);

function collected(name, start) {
  return new Promise((resolve) => {
    let output = '';
    const started = start(target(name));
    started.stdout.on('data', (data) => { output += data; });
    started.on('close', () => {
      result[name] = outcome(output);
      resolve();
    });
  });
}

// Started from a timer: only the timer's cause says evil asked for it.
await new Promise((resolve) => setTimeout(() => collected('spawn from a timer', (file) => spawn(process.execPath, [tool, file])).then(resolve), 0));
await collected('fork', (file) => fork(tool, [file], { silent: true }));

function worker(name, source, options = {}) {
  return new Promise((resolve) => {
    const started = new Worker(source, { argv: [target(name)], ...options });
    started.on('message', (message) => { result[name] = message; });
    started.on('error', (error) => { result[name] = `error ${error.code ?? error.message}`; });
    started.on('exit', resolve);
  });
}

await worker('worker', tool);
await worker('eval worker', `require(${JSON.stringify(tool)})`, { eval: true });
await worker('worker sharing the environment', tool, { env: SHARE_ENV });
// The environment data every new worker copies, set by evil to what the agent would hand on for the application.
setEnvironmentData('audithook.spawnedBy', JSON.stringify({ packages: [], attribution: 'complete' }));
await worker('forged environment data', tool);
