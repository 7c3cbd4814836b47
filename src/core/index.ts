/**
 * The model every layer shares: instances and their references, operations and the one table of
 * what each needs and means, approvals, cards and watches, attempts, reason codes and the audit
 * vocabulary. Plain types and tables: this folder imports nothing of the project and no library, so
 * every other folder may import it and it never imports them (test/architecture.test.ts checks).
 */
export * from './approval';
export * from './attempt';
export * from './audit';
export * from './card';
export * from './instance';
export * from './operation';
export * from './outcome';
export * from './slackIds';
export * from './status';
export * from './via';
export * from './workflowStep';
