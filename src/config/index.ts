/**
 * Configuration read from the environment exactly as `shared/spec/interface.md` section 2 names it:
 * the variable table (`variables.ts`) and the readers that build a {@link Config} from it.
 */
export { configuresDeployment, secretsFromEnv, type Env } from './env';
export { loadConfig, planStart } from './load';
export { SIMULATOR_PROJECT_ID, SIMULATOR_WORKSPACE_ID } from './secmaster';
export * from './types';
export { DEFAULT_DATABASE_URL, DEFAULT_SLACK_API_URL, LOG_LEVELS, VARIABLES, type VariableGroup, type VariableName } from './variables';
