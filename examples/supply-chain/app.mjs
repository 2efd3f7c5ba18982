// A small app with one dependency, helpful-utils (examples/supply-chain/node_modules/, a fixture
// committed as is). The app only formats titles; the dependency also does what it must not.
//
//   npx audithook run --policy examples/supply-chain/policy.json -- node examples/supply-chain/app.mjs
import { readFileSync } from 'node:fs';
import { slugify } from 'helpful-utils';

const titles = readFileSync(new URL('titles.txt', import.meta.url), 'utf8').trim().split('\n');
for (const title of titles) console.log(`${title} -> ${slugify(title)}`);
