// Which related rows a batch of changes needs, gathered before any query runs,
// so enrichment costs one query per entity type per Kafka batch.
import type { Change, Row } from '../capture/envelope.js';
import { emptyRequest, type EnrichmentRequest } from './enrichment.js';
import { mappingFor } from './table-map.js';

const add = (set: Set<number>, value: unknown) => {
  if (value !== null && value !== undefined && value !== '' && Number.isFinite(Number(value))) set.add(Number(value));
};

export function enrichmentRequest(changes: readonly Change[]): EnrichmentRequest {
  const request = emptyRequest();
  for (const change of changes) {
    const mapping = mappingFor(change.table);
    if (!mapping) continue;
    for (const row of [change.before, change.after].filter((r): r is Row => r !== null)) {
      add(request.companies, row.company_id);
      add(request.people, row.client_id);
      add(request.serviceProducts, row.service_product_id);
      add(request.patrimonies, row.patrimony_id);
      const locator = mapping.contract;
      if ('self' in locator) add(request.contracts, row.id);
      else if ('via' in locator) add(locator.via === 'solicitations' ? request.solicitations : request.receivableTitles, row[locator.column]);
      else add(request.contracts, row[locator.column]);
    }
  }
  return request;
}
