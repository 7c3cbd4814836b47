/**
 * Why the HTTP server could not listen on `PORT`, in one line, from Node's `listen` error codes
 * (https://nodejs.org/api/errors.html#common-system-errors); undefined for any other error.
 */
export function explainListenFailure(err: unknown): string | undefined {
  const e = (err ?? {}) as { code?: string; syscall?: string; port?: number; address?: string };
  if (e.syscall !== 'listen') return undefined;
  const port = e.port ?? '?';
  switch (e.code) {
    case 'EADDRINUSE':
      return `PORT: port ${port} is already in use (another process listens on it); stop that process, or set PORT to a free port`;
    case 'EACCES':
      return `PORT: this user may not listen on port ${port} (ports below 1024 need privileges); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `PORT: cannot listen on ${e.address ?? 'that address'}:${port} (EADDRNOTAVAIL: not an address of this machine)`;
    default:
      return `PORT: cannot listen on port ${port} (${e.code ?? 'error'})`;
  }
}
