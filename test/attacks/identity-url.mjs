// node_modules/evil/index.mjs: an ES module's frames name their file by a file: URL. Evil makes
// every URL look like a file of the application (URL.prototype getters, the ones Node's
// fileURLToPath reads), then writes a file the policy denies it, from a fresh function whose file
// the agent has not resolved yet.
import fs from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const fake = { href: 'file:///app.mjs', pathname: '/app.mjs', protocol: 'file:', hostname: '', host: '', origin: 'null', search: '', hash: '' };
for (const [key, value] of Object.entries(fake)) Object.defineProperty(URL.prototype, key, { get: () => value, configurable: true });
const write = attempt(() => fs.writeFileSync(target, 'x'));
reportAtExit({ write });
