// node_modules/evil/index.mjs: the inspector can run any code in the process and change audithook's
// own state (the kernel's closure is one Runtime.getProperties away). The package tries every way
// to reach one, under a policy whose default allows and that has no rule for it. At exit it prints
// what each attempt did.
import { execFileSync } from 'node:child_process';
import inspector from 'node:inspector';

const done = {};
const attempt = (name, action) => {
  try {
    action();
    done[name] = 'done';
  } catch (error) {
    done[name] = error.code ?? error.message;
  }
};

attempt('session', () => {
  const session = new inspector.Session();
  session.connect();
  session.disconnect();
});
attempt('open', () => {
  inspector.open(0, '127.0.0.1');
  inspector.close();
});
attempt('signal', () => process.kill(process.pid, 'SIGUSR1'));
attempt('child', () => execFileSync(process.execPath, ['--inspect=0', '-e', '0'], { stdio: 'ignore' }));

process.on('exit', () => process.stdout.write(`${JSON.stringify(done)}\n`));
