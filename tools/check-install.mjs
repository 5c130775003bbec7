#!/usr/bin/env node
// Release check: every published package installs on its own into a fresh npm project (with only its peer
// dependencies and the tarballs of the @cnn packages it depends on) and its entry points import there.
// Run after `tsc -b`. Needs the npm registry for the TensorFlow.js peers.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'cnn-install-check-'));
const tarballs = path.join(work, 'tarballs');
const manifests = new Map();
for (const dir of readdirSync(path.join(root, 'packages'))) {
  const pkgDir = path.join(root, 'packages', dir);
  const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkgDir, stdio: 'ignore' });
  manifests.set(manifest.name, manifest);
}
const tarballOf = (name) => path.join(tarballs, `${name.slice(1).replace('/', '-')}-${manifests.get(name).version}.tgz`);
const internalDeps = (name, seen = new Set()) => {
  for (const dep of Object.keys(manifests.get(name).dependencies ?? {})) {
    if (manifests.has(dep) && !seen.has(dep)) {
      seen.add(dep);
      internalDeps(dep, seen);
    }
  }
  return seen;
};

let failed = 0;
for (const [name, manifest] of manifests) {
  const project = path.join(work, name.slice(1).replace('/', '-'));
  const optional = manifest.peerDependenciesMeta ?? {};
  const peers = Object.entries(manifest.peerDependencies ?? {})
    .filter(([peer]) => !optional[peer]?.optional)
    .map(([peer, range]) => `${peer}@${range}`);
  // the CPU and WASM backends let the import check run tfjs code (`@cnn/backend/wasm-worker` selects WASM when
  // imported); they are what a user adds for Node without native code
  const extras = ['@tensorflow/tfjs-backend-cpu@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];
  try {
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{ "name": "install-check", "private": true, "type": "module" }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballOf(name), ...[...internalDeps(name)].map(tarballOf), ...peers, ...extras], { cwd: project, stdio: 'pipe' });
    const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? name : `${name}/${k.slice(2)}`));
    writeFileSync(path.join(project, 'check.mjs'), `${entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}\nconsole.log(${entries.map((_, i) => `Object.keys(m${i}).length`).join(' + ')});\n`);
    const exported = execFileSync('node', ['check.mjs'], { cwd: project, encoding: 'utf8' }).trim();
    process.stdout.write(`ok   ${name} installs alone (${peers.join(', ')}) and imports: ${exported} exports\n`);
  } catch (error) {
    failed += 1;
    process.stdout.write(`FAIL ${name}: ${error.stderr?.toString() || error.message}\n`);
  }
}
rmSync(work, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
