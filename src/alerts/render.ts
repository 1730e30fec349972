// The alert e-mail for one webhook's failures, in Brazilian Portuguese with the
// ERP's labels, for the webhook's "Lista de E-mails". Pure: AlertDigest
// (digest.ts) batches the notices and sends what this renders.

export interface FailureNotice {
  readonly webhookId: number;
  readonly webhookName: string;
  readonly url: string;
  readonly emails: readonly string[];
  readonly contractId: number | null;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly at: Date;
}

const MAX_LISTED = 20;

/** The e-mail for one webhook's failures, pure. */
export function renderDigest(notices: readonly FailureNotice[]): { subject: string; text: string } {
  const first = notices[0]!;
  const count = notices.length;
  const subject = `[Reativa] Webhook "${first.webhookName}": ${count} ${count === 1 ? 'envio atingiu' : 'envios atingiram'} o limite de tentativas`;
  const lines = [
    `O webhook "${first.webhookName}" (Manutenções / Integrações / Interações Webhooks) não conseguiu integrar ${count} ${count === 1 ? 'envio' : 'envios'}.`,
    '',
    `Webhook: ${first.webhookName} (código ${first.webhookId})`,
    `Url: ${first.url}`,
    '',
    ...notices.slice(0, MAX_LISTED).map(
      (n) =>
        `- Contrato ${n.contractId ?? '-'}: ${n.attempts} ${n.attempts === 1 ? 'tentativa' : 'tentativas'}, último erro: ${n.lastError} (${n.at.toISOString()}, evento ${n.eventId})`,
    ),
    ...(count > MAX_LISTED ? [`… e mais ${count - MAX_LISTED} envios.`] : []),
    '',
    'Os envios estão no tópico reativa.deliveries.dlq e podem ser reenviados com `reativa dlq redrive` depois de corrigido o problema.',
  ];
  return { subject, text: lines.join('\n') };
}
