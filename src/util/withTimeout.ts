/**
 * Settles with `p`, or rejects with an error whose `code` is `timeout` once `ms` pass first.
 * The timer is always cleared, so a settled promise leaves nothing holding the event loop.
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error('no answer in time'), { code: 'timeout' })), Math.max(0, ms));
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
