import { startApp, type RunningApp } from './app';
import type { Config, ConnectedConfig } from './config';
import { buildDeps, type Deps } from './deps';
import type { Logger } from './log';
import type { Route } from './http/server';
import { seedDemoInstances, startSimulator, type Simulator } from './sandbox/simulator';

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
  let connected: ConnectedConfig;
  if (config.secmaster.mode === 'simulator') {
    const { projectId, workspaceId } = config.secmaster;
    simulator = await startSimulator({ projectId, control: true, timing: { stepMs: 5000, runningMs: 90_000 } });
    seedDemoInstances(simulator.state, workspaceId);
    // The bot reaches the simulator as it would the cloud: at its address, with a token it issued.
    const token = simulator.auth.issueToken('bot', projectId, 365 * 24 * 3600_000).token;
    opts.logger.redact.add(token);
    connected = { ...config, secmaster: { mode: 'cloud', endpoint: simulator.url, projectId, workspaceId, credential: { kind: 'token', token } } };
    opts.logger.info('SecMaster simulator started in-process', { url: simulator.url, workspace: workspaceId, instances: simulator.state.all().length });
  } else {
    connected = { ...config, secmaster: config.secmaster };
  }
  let deps: Deps;
  try {
    deps = await buildDeps(connected, { logger: opts.logger, owner: opts.owner, smnCa: opts.smnCa });
  } catch (err) {
    await simulator?.close();
    throw err;
  }
  const app = await startApp(deps, { port: connected.port, host: opts.host, extraRoutes: opts.extraRoutes?.(deps) });
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
