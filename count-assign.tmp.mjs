import { ESLint } from 'eslint';
const eslint = new ESLint({ cwd: '/work/main', overrideConfig: [{ files: ['**/*.ts'], rules: { 'no-restricted-syntax': ['error', { selector: 'AssignmentExpression > MemberExpression.left', message: 'member-assign' }] } }] });
const results = await eslint.lintFiles(['src/core/**/*.ts', 'src/instrument/**/*.ts', 'src/agent/**/*.ts', 'src/contract/**/*.ts', 'src/policy/decide.ts']);
let n = 0; const perFile = {};
for (const r of results) for (const m of r.messages) if (m.message === 'member-assign') { n++; perFile[r.filePath.replace('/work/main/', '')] = (perFile[r.filePath.replace('/work/main/', '')] ?? 0) + 1; }
console.log(n, perFile);
