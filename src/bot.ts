import { startApp, type RunningApp } from './app';
import type { Config } from './config';
import { buildDeps, type Deps } from './deps';
import type { Logger } from './log';
import type { Route } from './http/server';
import { seedDemoInstances, startSimulator, type Simulator } from './sandbox/simulator';
import { createTokenAuthenticator } from './secmaster/auth/tokenAuth';

/**
 * Starts a configured bot: the simulator first when `SECMASTER_SIMULATOR=1`, then the
 * dependencies, then the app. Returns a handle whose `stop` is what SIGTERM calls.
 */
export interface RunningBot {
  port: number;
  deps: Deps;
  app: RunningApp;
  simulator?: Simulator;
  stop(): Promise<void>;
}

export async function startBot(
  config: Config,
  opts: { logger: Logger; extraRoutes?: (deps: Deps) => Route[]; owner?: string; host?: string; /** The sandbox's CA for SMN's HTTPS GETs (see BuildOptions.smnCa). */ smnCa?: string },
): Promise<RunningBot> {
  let simulator: Simulator | undefined;
  let cfg = config;
  let secmasterAuth;
  if (config.secmaster.credential.kind === 'simulator') {
    simulator = await startSimulator({ projectId: config.secmaster.projectId, control: true, timing: { stepMs: 5000, runningMs: 90_000 } });
    seedDemoInstances(simulator.state, config.secmaster.workspaceId);
    secmasterAuth = createTokenAuthenticator(simulator.auth.issueToken('bot', config.secmaster.projectId, 365 * 24 * 3600_000).token);
    cfg = { ...config, secmaster: { ...config.secmaster, endpoint: simulator.url } };
    opts.logger.info('SecMaster simulator started in-process', { url: simulator.url, workspace: config.secmaster.workspaceId, instances: simulator.state.all().length });
  }
  let deps: Deps;
  try {
    deps = await buildDeps(cfg, { logger: opts.logger, secmasterAuth, owner: opts.owner, smnCa: opts.smnCa });
  } catch (err) {
    await simulator?.close();
    throw err;
  }
  const app = await startApp(deps, { port: cfg.port, host: opts.host, extraRoutes: opts.extraRoutes?.(deps) });
  return {
    port: app.port,
    deps,
    app,
    simulator,
    async stop() {
      await app.stop();
      await simulator?.close();
    },
  };
}
