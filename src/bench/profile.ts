import path from 'node:path';

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
 * as a Markdown table, so the benchmark report says where the bot spends its CPU.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export function summarizeProfile(dir: string, readdir: (d: string) => string[], readFile: (f: string, enc: 'utf8') => string, top = 15): string {
  let files: string[];
  try {
    files = readdir(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return 'No profile was written.';
  }
  const self = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const profile = JSON.parse(readFile(path.join(dir, f), 'utf8')) as { nodes: ProfileNode[]; samples?: number[] };
    for (const n of profile.nodes) {
      const hits = n.hitCount ?? 0;
      total += hits;
      const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}` : '(native)';
      const key = `${n.callFrame.functionName || '(anonymous)'} — ${where}`;
      self.set(key, (self.get(key) ?? 0) + hits);
    }
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${total} samples. Top ${top} by self time:`,
    '',
    '| self % | function — where |',
    '|---:|---|',
    ...rows.map(([k, v]) => `| ${((v / Math.max(1, total)) * 100).toFixed(1)} | ${k.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}
