// The application's own code: runs tool.cjs in a process of its own, and passes its output on.
const { spawnSync } = require('node:child_process');
const { dirname, join } = require('node:path');

const run = spawnSync(process.execPath, [join(dirname(process.argv[1]), 'tool.cjs'), process.argv[2]], { encoding: 'utf8' });
process.stdout.write(run.stdout);
