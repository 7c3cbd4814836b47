/**
 * Configuration read from the environment exactly as `shared/spec/interface.md` section 2 names it:
 * the variable table (`variables.ts`) and the readers that build a {@link Config} from it.
 */
export { secretsFromEnv } from './env';
export { loadConfig, loadDatabaseUrl, planStart } from './load';
export * from './types';
export { DEFAULT_SLACK_API_URL, VARIABLES, type VariableName } from './variables';
