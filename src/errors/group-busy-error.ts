import { PermanentError } from './permanent-error.js';

/** An offset change refused because the consumer group has live members. */
export class GroupBusyError extends PermanentError {}
