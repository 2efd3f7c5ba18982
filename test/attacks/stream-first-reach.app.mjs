// The application: takes the route evil is to try (route.txt) and loads evil, with no ES import of
// node:fs, whose exports read every getter of fs (the file stream classes among them).
const fs = process.getBuiltinModule('node:fs');
globalThis.route = fs.readFileSync(new URL('./route.txt', import.meta.url), 'utf8');
await import('evil');
