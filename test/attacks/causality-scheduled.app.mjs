// The application of the causality-scheduled attack: it loads evil, then later fires listeners evil
// added (an event evil listens to, an EventTarget of evil's, an AbortController of evil's) from its
// own code: the listeners run on the application's stack.
/* global Event */
const { appTarget, appController } = await import('evil');
// One timer each: a refused listener throws out of the emit.
setTimeout(() => process.emit('app.go'), 20);
setTimeout(() => appTarget.dispatchEvent(new Event('go')), 20);
setTimeout(() => appController.abort(), 20);
globalThis[Symbol.for('audithook.runtime')].audit('app.event');
