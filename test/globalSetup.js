// Builds dist/ once before the suites that start the bot as a real process (kill -9, SIGTERM,
// start-up errors, two replicas). Plain JavaScript: it runs before ts-jest is involved.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const root = path.resolve(__dirname, '..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('tsc failed: the process-level tests need dist/');
};
