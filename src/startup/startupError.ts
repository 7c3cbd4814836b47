/**
 * A start-up failure already put into words: one line naming the variable, what was tried and what
 * to do. `main.ts` prints exactly its message (no stack), as it does for a configuration error.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
