// Version shaping: the integrator's version adds to service-change bodies
// (contract_service_change), and the partner's preset adds its rules there (an
// explicit Active flag per service). Every other body, the standard ones
// above all (the electronic signature is the vendor guide's own), goes out
// exactly as docs/payloads.md documents it, whatever the version. Pure.
//   3 — SVAs with third parties: the service-change body, services flagged Active.
//   1 — SVAs through V-DI: the same, plus the Integrator block V-DI routes a service on.
//   2 — MVNO through V-DI: version 1 plus a Subscriber block for the mobile line (cell phone).
//   4 — STFC through V-DI: version 1 plus a Subscriber block for the fixed line (phone).
//   5, 6 — SAP S/4HANA, SAP Business One: the sap kind only; its body unchanged.
//   8 — post-due collection (and receivables): those kinds only; their bodies unchanged.
import type { Body } from '../contracts/contract.js';
import type { TriggerKind } from '../contracts/trigger-event.js';
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
export function clientOf(body: Body): { Id?: number; Email?: string | null; Phone?: string | null; CellPhone?: string | null; Name?: string; TxId?: string | null } | null {
  for (const group of ['Contract', 'Solicitation', 'Title']) {
    const g = body[group] as { Client?: unknown } | undefined;
    if (g && typeof g.Client === 'object' && g.Client !== null) return g.Client;
  }
  return null;
}

/**
 * Adds Active to every service of the body, by the partner's activation rule.
 * `contractCodes`: the integration codes of every service on the contract,
 * whatever its integrator (the event's contractServiceCodes); the body's own
 * services when not given.
 */
export function withActiveFlags(body: Body, rule: ActivationRule, contractCodes?: readonly string[]): Body {
  const contract = contractOf(body);
  if (!contract?.Services) return body;
  const state = contract.Stage && contract.Status ? { stage: contract.Stage.Code, status: contract.Status.Code } : null;
  const services = contract.Services;
  const codes = (contractCodes ?? services.map((s) => s.IntegrationCode ?? null)).map((integrationCode) => ({ integrationCode }));
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

/** The versions that add to a service-change body: V-DI's (1, 2, 4). */
const VDI_VERSIONS = [1, 2, 4];

export function shapeForVersion(body: Body, kind: TriggerKind, version: number, integrator: { id: number; alias: string }): Body {
  if (kind !== 'contract_service_change' || !VDI_VERSIONS.includes(version)) return body;
  const { CompanyId, CompanyTxId, ActionType, ...rest } = body;
  const shaped: Body = { CompanyId, CompanyTxId, ActionType, Integrator: { Id: integrator.id, Alias: integrator.alias, Version: version } };
  const client = clientOf(body);
  if (version === 2 && client) shaped.Subscriber = { Name: client.Name ?? null, TxId: client.TxId ?? null, Email: client.Email ?? null, CellPhone: client.CellPhone ?? null };
  if (version === 4 && client) shaped.Subscriber = { Name: client.Name ?? null, TxId: client.TxId ?? null, Email: client.Email ?? null, Phone: client.Phone ?? null };
  return { ...shaped, ...rest };
}
