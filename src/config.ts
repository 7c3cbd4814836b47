/**
 * Configuration read from the environment exactly as `shared/spec/interface.md` section 2 names it:
 * the variable table (`config/variables.ts`) and the readers that build a {@link Config} from it.
 */
export { loadDotEnv, type DotEnvLoaded } from './config/dotenv';
export { secretsFromEnv } from './config/env';
export { loadConfig, loadDatabaseUrl, planStart } from './config/load';
export * from './config/types';
export { DEFAULT_SLACK_API_URL, VARIABLES, type VariableName } from './config/variables';
