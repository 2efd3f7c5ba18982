// An express app driven by supertest: routing, JSON bodies, static files, errors, and a route
// handler that reads a file itself (the application's doing, inside express's router).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { report } from './report.mjs';

const files = mkdtempSync(join(tmpdir(), 'compat-express-'));
writeFileSync(join(files, 'page.html'), '<p>static</p>');
writeFileSync(join(files, 'settings.json'), '{"theme":"dark"}');
const app = express();
app.use(express.json());
app.use('/files', express.static(files));
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, query: req.query }));
app.get('/settings', (req, res) => res.type('json').send(readFileSync(join(files, 'settings.json'), 'utf8')));
app.post('/echo', (req, res) => res.status(201).json(req.body));
app.get('/fail', () => { throw new Error('route failed'); });
app.get('/async-fail', async () => { throw new Error('async route failed'); });
// eslint-disable-next-line no-unused-vars -- express tells an error handler by its four parameters
app.use((error, req, res, next) => res.status(500).json({ error: error.message }));

const answer = (response) => ({ status: response.status, type: response.type, body: response.type === 'application/json' ? response.body : response.text });
report({
  user: answer(await request(app).get('/users/42?x=1')),
  echo: answer(await request(app).post('/echo').send({ a: [1, 2] })),
  settings: answer(await request(app).get('/settings')),
  file: answer(await request(app).get('/files/page.html')),
  missing: answer(await request(app).get('/files/none.html')),
  fail: answer(await request(app).get('/fail')),
  asyncFail: answer(await request(app).get('/async-fail')),
});
