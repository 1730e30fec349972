// What the demo partner prints for each request it receives, and how it
// answers: mostly 200, now and then a 503 (Reativa retries it) or a 422 (a
// permanent refusal: the delivery is dead-lettered and the webhook's alert
// e-mail goes out), so a minute of demo shows retries, a dead letter and its
// e-mail. Pure: the caller gives the random draw.

export interface DemoOdds {
  /** Share of requests answered 503 Service Unavailable (retried). */
  readonly retryable: number;
  /** Share of requests answered 422 (not retried: dead-lettered, alerted). */
  readonly permanent: number;
}

export const DEFAULT_ODDS: DemoOdds = { retryable: 0.1, permanent: 0.03 };

/** The status the demo partner answers with, for a draw in [0, 1). */
export function demoStatus(draw: number, odds: DemoOdds = DEFAULT_ODDS): 200 | 422 | 503 {
  if (draw < odds.permanent) return 422;
  if (draw < odds.permanent + odds.retryable) return 503;
  return 200;
}

const ACTION_TYPES: Readonly<Record<number, string>> = { 0: 'insert', 1: 'update', 2: 'delete' };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const codes = (list: unknown) => (Array.isArray(list) ? list.filter(isObject).map((s) => String(s.IntegrationCode ?? s.Id ?? '?')) : []);

/**
 * A body in a few words: its action, the group it is about (Contract 12,
 * Title 601…), a contract's status and the services added or removed. Never a
 * header: those carry the partner's token.
 */
export function describeBody(body: unknown): string {
  if (!isObject(body)) return '(no JSON body)';
  const parts: string[] = [];
  if (typeof body.ActionType === 'number') parts.push(ACTION_TYPES[body.ActionType] ?? `action ${body.ActionType}`);
  // The group the body is about: the contract first (every contract body has one), then any group with an Id.
  const groups = Object.entries(body).filter(([key, value]) => key !== 'ServiceChange' && isObject(value) && 'Id' in value);
  const group = groups.find(([key]) => key === 'Contract') ?? groups.find(([key]) => key !== 'Integrator') ?? groups[0];
  if (group) {
    const [name, value] = group as [string, Json];
    parts.push(`${name} ${String(value.Id)}`);
    if (name !== 'Contract' && value.ContractId !== undefined && value.ContractId !== null) parts.push(`(contract ${String(value.ContractId)})`);
    const status = isObject(value.Status) ? value.Status.Code : undefined;
    if (status !== undefined) parts.push(`status ${String(status)}`);
  }
  // An electronic signature travels inside its contract's group.
  const contract = isObject(body.Contract) ? body.Contract : undefined;
  const signatures = Array.isArray(contract?.ElectronicSignatures) ? contract.ElectronicSignatures.filter(isObject) : [];
  for (const signature of signatures) parts.push(`signature ${String(signature.Code)} status ${String(signature.Status)}`);
  const change = body.ServiceChange;
  if (isObject(change)) {
    const added = codes(change.Added);
    const removed = codes(change.Removed);
    if (added.length > 0) parts.push(`+${added.join(' +')}`);
    if (removed.length > 0) parts.push(`-${removed.join(' -')}`);
  }
  return parts.join(' ') || '(a body without the usual groups)';
}

/** The line printed for one request. */
export function receiptLine(at: Date, partner: string, method: string, eventId: string | undefined, body: unknown, status: number): string {
  const time = at.toISOString().slice(11, 19);
  const answer = status === 200 ? '200 OK' : status === 503 ? '503 (will be retried)' : `${status} (refused: dead letter, alert e-mail)`;
  return `${time} partner ${partner.padEnd(13)} <- ${method} ${describeBody(body)}  [event ${eventId ?? '?'}] -> ${answer}`;
}
