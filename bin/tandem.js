#!/usr/bin/env node
// Launches the Tandem CLI (server/cli/main.ts) with this Node when it can run TypeScript (Node 22.18+).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `tandem: needs Node 22.18 or newer (this is ${process.version}); run it as \`npx tandem\` from the project, ` +
      'whose node devDependency provides Node 22, or put Node 22 first on your PATH.\n',
  );
  process.exit(1);
}
const main = fileURLToPath(new URL('../server/cli/main.ts', import.meta.url));
const result = spawnSync(process.execPath, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`tandem: could not start ${process.execPath}: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
