// Version shaping: the integrator's version selects the body's shape, and the
// partner's preset adds its rules (an explicit Active flag per service). Pure.
//   3 — SVAs with third parties: the mapper's body, services flagged Active.
//   1 — SVAs through V-DI: the same, plus the Integrator block V-DI routes on.
//   2 — MVNO through V-DI: version 1 plus a Subscriber block for the mobile line (cell phone).
//   4 — STFC through V-DI: version 1 plus a Subscriber block for the fixed line (phone).
import type { Body } from '../contracts/contract.js';
import type { ActivationRule } from '../presets/presets.js';
import { serviceActive } from '../presets/rules.js';

type ServiceBody = Body & { IntegrationCode?: string | null };

interface ContractGroup {
  Stage?: { Code: string } | null;
  Status?: { Code: string } | null;
  Client?: Body | null;
  Services?: ServiceBody[];
}

const contractOf = (body: Body): ContractGroup | undefined =>
  typeof body.Contract === 'object' && body.Contract !== null ? (body.Contract) : undefined;

/** The client of any body that has one (contract, solicitation, title). */
export function clientOf(body: Body): { Email?: string | null; Phone?: string | null; CellPhone?: string | null; Name?: string; TxId?: string | null } | null {
  for (const group of ['Contract', 'Solicitation', 'Title']) {
    const g = body[group] as { Client?: unknown } | undefined;
    if (g && typeof g.Client === 'object' && g.Client !== null) return g.Client;
  }
  return null;
}

/** Adds Active to every service of the body, by the partner's activation rule. */
export function withActiveFlags(body: Body, rule: ActivationRule): Body {
  const contract = contractOf(body);
  if (!contract?.Services) return body;
  const state = contract.Stage && contract.Status ? { stage: contract.Stage.Code, status: contract.Status.Code } : null;
  const services = contract.Services;
  const codes = services.map((s) => ({ integrationCode: s.IntegrationCode ?? null }));
  const flag = (s: ServiceBody) => ({ ...s, Active: serviceActive(rule, state, { integrationCode: s.IntegrationCode ?? null }, codes) });
  const out: Body = { ...body, Contract: { ...contract, Services: services.map(flag) } };
  const change = body.ServiceChange as { Added?: ServiceBody[]; Removed?: ServiceBody[] } | undefined;
  if (change) {
    out.ServiceChange = {
      Added: (change.Added ?? []).map(flag),
      Removed: (change.Removed ?? []).map((s) => ({ ...s, Active: false })),
    };
  }
  return out;
}

export function shapeForVersion(body: Body, version: number, integrator: { id: number; alias: string }): Body {
  if (version === 3) return body;
  const { CompanyId, CompanyTxId, ActionType, ...rest } = body;
  const shaped: Body = { CompanyId, CompanyTxId, ActionType, Integrator: { Id: integrator.id, Alias: integrator.alias, Version: version } };
  const client = clientOf(body);
  if (version === 2 && client) shaped.Subscriber = { Name: client.Name ?? null, TxId: client.TxId ?? null, Email: client.Email ?? null, CellPhone: client.CellPhone ?? null };
  if (version === 4 && client) shaped.Subscriber = { Name: client.Name ?? null, TxId: client.TxId ?? null, Email: client.Email ?? null, Phone: client.Phone ?? null };
  return { ...shaped, ...rest };
}
