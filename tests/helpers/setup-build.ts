// HTTP tests run against the production build. `npm test` builds first; run on their own
// (npm run test:api), they build once here if there is no build yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  if (existsSync(path.join(root, '.next/BUILD_ID'))) return;
  console.log('No production build found; running `npm run build` once for the HTTP tests...');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}
