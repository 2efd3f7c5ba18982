// The application: takes the route evil is to try (route.txt) and loads evil, reaching neither
// fs.promises nor the ES exports of node:fs first.
const fs = process.getBuiltinModule('node:fs');
globalThis.route = fs.readFileSync(new URL('./route.txt', import.meta.url), 'utf8');
await import('evil');
