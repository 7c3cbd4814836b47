import { driveAsync, driveSync, rows, run, type Request, type Step } from '../../src/store/step';

/**
 * The two drivers that run a store step: they must behave as `await` does (answers come back in
 * order, a failed request throws at its `yield`, so the step's try/catch/finally work), and in a
 * transaction a failed statement fails the whole step even when the step caught it.
 */

/** An answerer that records what it was asked and fails on a statement containing FAIL. */
function database() {
  const asked: string[] = [];
  const answer = (r: Request): unknown => {
    if (r.kind === 'script' || r.kind === 'serialize') return undefined;
    asked.push(r.sql);
    if (r.sql.includes('FAIL')) throw new Error(`failed: ${r.sql}`);
    return r.kind === 'rows' ? [{ sql: r.sql, args: r.args }] : r.args.length;
  };
  return { asked, answer, answerAsync: async (r: Request) => answer(r) };
}

function* twoStatements(): Step<{ first: unknown; changed: number }> {
  const first = yield* rows('SELECT one', [1]);
  const changed = yield* run('UPDATE two', ['a', 'b', 'c']);
  return { first, changed };
}

function* catchesAFailure(log: string[]): Step<string> {
  try {
    yield* run('FAIL here');
    log.push('not reached');
  } catch (err) {
    log.push(`caught ${(err as Error).message}`);
  } finally {
    log.push('finally');
  }
  yield* run('after');
  return 'carried on';
}

function* leavesAFailure(log: string[]): Step<string> {
  try {
    yield* run('FAIL here');
    return 'not reached';
  } finally {
    log.push('finally');
  }
}

describe.each([
  ['driveSync', async <T>(step: Step<T>, db: ReturnType<typeof database>, opts?: { transaction?: boolean }) => driveSync(step, db.answer, opts)],
  ['driveAsync', <T>(step: Step<T>, db: ReturnType<typeof database>, opts?: { transaction?: boolean }) => driveAsync(step, db.answerAsync, opts)],
])('%s', (_name, drive) => {
  it('feeds each answer back to its yield, in order, and returns what the step returns', async () => {
    const db = database();
    expect(await drive(twoStatements(), db)).toEqual({ first: [{ sql: 'SELECT one', args: [1] }], changed: 3 });
    expect(db.asked).toEqual(['SELECT one', 'UPDATE two']);
  });

  it('throws a failed request into the step at its yield, so the step may catch it and go on', async () => {
    const db = database();
    const log: string[] = [];
    expect(await drive(catchesAFailure(log), db)).toBe('carried on');
    expect(log).toEqual(['caught failed: FAIL here', 'finally']);
    expect(db.asked).toEqual(['FAIL here', 'after']);
  });

  it("rejects with the failure a step does not catch, after running the step's finally", async () => {
    const db = database();
    const log: string[] = [];
    await expect(drive(leavesAFailure(log), db)).rejects.toThrow('failed: FAIL here');
    expect(log).toEqual(['finally']);
  });

  it('in a transaction, fails with the first failed statement even when the step caught it', async () => {
    const db = database();
    const log: string[] = [];
    await expect(drive(catchesAFailure(log), db, { transaction: true })).rejects.toThrow('failed: FAIL here');
    // The step ran to its end (its own logic is not cut short); only its result is refused.
    expect(log).toEqual(['caught failed: FAIL here', 'finally']);
    expect(await drive(twoStatements(), database(), { transaction: true })).toMatchObject({ changed: 3 });
  });
});
