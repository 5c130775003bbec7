#!/usr/bin/env node
// `pnpm study <name> [options]`: runs apps/<name>'s study from source (TypeScript through tsx, workspace packages
// through their `@cnn/source` export condition), so no build step is needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const studies = readdirSync(path.join(root, 'apps')).filter((d) => existsSync(path.join(root, 'apps', d, 'src', 'cli.ts')));
const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || !studies.includes(name)) {
  const problem = name === undefined || name.startsWith('-') ? '' : `Unknown study '${name}'. `;
  process.stderr.write(`${problem}Usage: pnpm study <study> [options]   (studies: ${studies.join(', ')}; add --help for a study's options)\n`);
  process.exit(name === '--help' || name === '-h' ? 0 : 2);
}
const cli = path.join(root, 'apps', name, 'src', 'cli.ts');
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--conditions=@cnn/source', '--import', tsx, cli, ...args], {
  stdio: 'inherit',
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exit(result.status ?? 1);
