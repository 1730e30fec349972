import { PermanentError } from './permanent-error.js';

/**
 * A delivery request Reativa will not make: an address the SSRF guard refuses
 * (src/delivery/address-policy.ts), http:// when only https:// is allowed, or
 * a header the webhook may not set. Asking again would be refused again: the
 * delivery is dead-lettered and its webhook's operators are told why.
 */
export class RequestRefusedError extends PermanentError {
  readonly code = 'REATIVA_REQUEST_REFUSED';
}
