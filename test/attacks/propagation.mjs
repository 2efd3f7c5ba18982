// node_modules/evil/index.mjs: a package that starts Node processes and worker threads in ways meant
// to leave the agent out, or to run its own preload (planted.cjs, a fake runtime) before the agent.
// Each one runs node_modules/evil/write.cjs, which tries a write the policy denies evil. At exit it
// prints what each write did: 'written' is an escape.
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, 'write.cjs');
const planted = join(here, 'planted.cjs');
// This process's NODE_OPTIONS begins with the agent's preload, quoted: `--require="<agent>"`.
const agentText = /^--require="[^"]*"/.exec(process.env.NODE_OPTIONS)[0];
const agentFile = agentText.slice('--require="'.length, -1);
const target = (name) => join(work, `written-by-${name}`);

const result = {};
reportAtExit(result);

function child(name, nodeOptions) {
  const run = spawnSync(process.execPath, [writer, target(name)], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' });
  result[name] = run.status === 0 ? JSON.parse(run.stdout) : `exit ${run.status}`;
}

// The agent's preload text, continued: Node reads one word, `<agent>/../../<planted>`, which is planted.cjs.
child('child: agent text continued', `${agentText}/${relative(agentFile, planted)}`);

function worker(name, options) {
  return new Promise((resolve) => {
    let started;
    try {
      started = new Worker(writer, { argv: [target(name)], ...options });
    } catch (error) {
      result[name] = `refused ${error.code}`;
      return resolve();
    }
    started.on('message', (outcome) => { result[name] = outcome; });
    started.on('error', (error) => { result[name] = `error ${error.code ?? error.message}`; });
    started.on('exit', resolve);
  });
}

const quotedAgent = `"--conditions=x\\" --require=${agentFile} \\""`;
await worker('worker: env.NODE_OPTIONS requires before the agent', { env: { ...process.env, NODE_OPTIONS: `--require=${planted} ${process.env.NODE_OPTIONS}` } });
await worker('worker: execArgv requires before the agent', { env: { ...process.env, NODE_OPTIONS: '' }, execArgv: ['--require', planted, '--require', agentFile] });
// Node reads one quoted word, `--conditions=x" --require=<agent> "`: the agent is only named inside a value.
await worker('worker: agent inside a quoted value', { env: { ...process.env, NODE_OPTIONS: quotedAgent } });
// This thread's own environment rewritten, which Node parses for a worker given execArgv.
process.env.NODE_OPTIONS = `--require=${planted}`;
await worker('worker: rewritten environment, execArgv', { execArgv: [] });
await worker('worker: shared rewritten environment, execArgv', { env: SHARE_ENV, execArgv: [] });

if (typeof process.execve === 'function') {
  // The process becomes write.cjs, which prints the final line, these results with its own.
  process.execve(process.execPath, [process.execPath, writer, target('execve'), JSON.stringify(result)], { ...process.env, NODE_OPTIONS: '' });
}
