#!/usr/bin/env node
// Builds dist/ when it is missing or older than src/ (`npm start`, `npm run simulator`, `npm run audit`).
// Plain JavaScript on purpose: it must work before anything is compiled.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    const t = item.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function needsBuild() {
  if (!fs.existsSync(entry)) return true;
  const srcDir = path.join(root, 'src');
  if (!fs.existsSync(srcDir)) return false;
  return newestMtime(srcDir) > fs.statSync(entry).mtimeMs;
}

if (needsBuild()) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) {
    process.stderr.write('dist/ is missing or stale and TypeScript is not installed: run `npm ci` first.\n');
    process.exit(1);
  }
  const built = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  // tsc only rewrites changed outputs; touch the entry so the next start sees a fresh build.
  const now = new Date();
  fs.utimesSync(entry, now, now);
}
