// evil's request waits in the application's busy pool (queued-request.app.mjs): the dial Node makes
// for it later must still be evil's, under evil's rules.
import http from 'node:http';
import { reportAtExit } from './attempt.mjs';

const result = {};
reportAtExit(result);
const { agent, port, close } = globalThis.pool;
const done = (outcome) => {
  result.queued = outcome;
  close();
};
http.get({ host: '127.0.0.1', port, path: '/evil', agent }, (response) => {
  response.resume();
  response.on('end', () => done('done'));
}).on('error', (error) => done(error.code));
