// node_modules/evil/index.mjs: the inspector can run any code in the process and change audithook's
// own state (the kernel's closure is one Runtime.getProperties away). The package tries every way
// to reach one, under a policy whose default allows and that has no rule for it. At exit it prints
// what each attempt did.
import { execFileSync } from 'node:child_process';
import inspector from 'node:inspector';
import { attempt, reportAtExit } from './attempt.mjs';

reportAtExit({
  session: attempt(() => {
    const session = new inspector.Session();
    session.connect();
    session.disconnect();
  }),
  open: attempt(() => {
    inspector.open(0, '127.0.0.1');
    inspector.close();
  }),
  signal: attempt(() => process.kill(process.pid, 'SIGUSR1')),
  child: attempt(() => execFileSync(process.execPath, ['--inspect=0', '-e', '0'], { stdio: 'ignore' })),
});
