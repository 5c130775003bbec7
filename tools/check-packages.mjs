#!/usr/bin/env node
// Lints every published package after `tsc -b`: publint (manifest, exports, files) and Are the Types Wrong
// (type resolution for ESM consumers). Exits non-zero on any problem.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packages = readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
let failed = 0;
for (const dir of packages) {
  const { name, private: isPrivate } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (isPrivate) continue;
  for (const [tool, args] of [
    ['publint', ['exec', 'publint', '--strict', dir]],
    ['attw', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    const run = spawnSync('pnpm', args, { cwd: root, encoding: 'utf8' });
    const ok = run.status === 0;
    if (!ok) failed += 1;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${tool.padEnd(7)} ${name}\n`);
    if (!ok) process.stdout.write(`${run.stdout}${run.stderr}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
