import { deadlineIn, type Deadline } from '../../../src/secmaster/deadline';
import type { CallRequest, CallTransport } from '../../../src/secmaster/layers';
import type { HttpResponse } from '../../../src/secmaster/transport';

/**
 * Stand-ins for the layer tests: a scripted inner transport that records every request it is
 * handed, and calls built the way the client builds them. The answer bodies are API Gateway's and
 * SecMaster's documented shapes (shared/reference/secmaster-api.md, "Errors"), written out here.
 */

export type Step = { status: number; headers?: Record<string, string>; body?: string } | Error;

/** Plays `steps`, one per call (the last one repeats), and keeps every request it saw. */
export function scriptedInner(steps: Step[]) {
  const seen: CallRequest[] = [];
  const inner: CallTransport = async (req) => {
    seen.push(req);
    const step = steps[Math.min(seen.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error('empty script');
    if (step instanceof Error) throw step;
    const response: HttpResponse = { status: step.status, headers: step.headers ?? {}, body: step.body ?? '' };
    return { response, sentHeaders: req.headers };
  };
  return { inner, seen };
}

export const URL_ONE = new URL('https://secmaster.example.test/v1/p-1/workspaces/w-1/soc/playbooks/instances/i-1');
export const READ_CALL = 'GET /v1/p-1/workspaces/w-1/soc/playbooks/instances/i-1';
export const OPERATE_CALL = 'POST /v1/p-1/workspaces/w-1/soc/playbooks/instances/i-1/operation';

export function readRequest(overrides: Partial<CallRequest> = {}): CallRequest {
  return {
    name: 'get_instance',
    call: READ_CALL,
    method: 'GET',
    url: URL_ONE,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    idempotent: true,
    deadline: deadlineIn(20_000, Date.now),
    ...overrides,
  };
}

export function operateRequest(overrides: Partial<CallRequest> = {}): CallRequest {
  return readRequest({ name: 'operate', call: OPERATE_CALL, method: 'POST', url: new URL(`${URL_ONE.href}/operation`), body: '{"operation":"RETRY"}', idempotent: false, ...overrides });
}

/** A deadline on a clock the test moves. */
export function movableDeadline(ms: number): { deadline: Deadline; advance: (by: number) => void; now: () => number } {
  let clock = 5_000_000;
  const now = () => clock;
  return { deadline: deadlineIn(ms, now), advance: (by) => void (clock += by), now };
}

/** The public gateway's answer to a revoked token (a real trace's shape). */
export const REVOKED_TOKEN = { status: 401, body: '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: decrypt token fail","request_id":"gw-req-1"}' };
/** A dedicated gateway spells the same code `APIG.0301`. */
export const REVOKED_TOKEN_DEDICATED = { status: 401, body: '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"gw-req-2"}' };
export const INSTANCE = { status: 200, headers: { 'x-request-id': 'sm-req-ok' }, body: '{"id":"i-1","status":"FAILED"}' };

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
