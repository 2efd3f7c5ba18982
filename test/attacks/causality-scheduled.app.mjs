// The application of the causality-scheduled attack: it loads evil, then later emits an event evil
// listens to, from its own code (the listener runs on the application's stack).
await import('evil');
setTimeout(() => process.emit('app.go'), 20);
globalThis[Symbol.for('audithook.runtime')].audit('app.event');
