import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The bot's name and version, from its package.json (one level above both `src/` and `dist/`), for
 * the `User-Agent` of every SecMaster and IAM call: Huawei's request logs then say which client
 * sent a call, as the Node SDK's `huaweicloud-usdk-nodejs/3.0; …` does (huaweicloud-sdk-nodejs-v3
 * `core/ClientBuilder.ts`).
 */
function readPackage(): { name: string; version: string } {
  const parsed: unknown = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const { name, version } = (parsed ?? {}) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') throw new Error('package.json has no name or version');
  return { name, version };
}

export const BOT_PACKAGE = readPackage();

/** `secmaster-playbook-slack-bot/0.1.0 (node v20.x; linux)`. */
export const USER_AGENT = `${BOT_PACKAGE.name}/${BOT_PACKAGE.version} (node ${process.version}; ${process.platform})`;
