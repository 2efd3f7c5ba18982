// A small app with one dependency, helpful-utils (examples/supply-chain/node_modules/, a fixture
// committed as is). The app only formats titles; the dependency also does what it must not.
//
//   npx audithook run --policy examples/supply-chain/policy.json -- node examples/supply-chain/app.js
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { slugify } = require('helpful-utils');

const titles = readFileSync(join(__dirname, 'titles.txt'), 'utf8').trim().split('\n');
for (const title of titles) console.log(`${title} -> ${slugify(title)}`);
