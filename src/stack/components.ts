// What the stack is made of and where each part listens, derived from settings
// so that the endpoints Reativa connects to and the ports the native stack
// binds can never disagree.
import { endpointOf, type Settings } from '../settings.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface StackEndpoints {
  readonly postgres: Endpoint;
  readonly kafka: Endpoint;
  readonly kafkaController: Endpoint;
  /** The native broker's SASL/SCRAM listener. */
  readonly kafkaSasl: Endpoint;
  readonly connect: Endpoint;
  readonly registry: Endpoint;
  readonly smtp: Endpoint;
  readonly mailWeb: Endpoint;
}

export function stackEndpoints(settings: Settings): StackEndpoints {
  const kafka = endpointOf(settings.kafka.brokers[0] ?? '127.0.0.1:9092', 9092);
  return {
    // The cluster the stack runs is the one its superuser URL names (every database URL shares host and port).
    postgres: endpointOf(settings.erpSuperuserDatabaseUrl, 5432),
    kafka,
    kafkaController: { host: kafka.host, port: settings.kafka.controllerPort },
    kafkaSasl: { host: kafka.host, port: settings.kafka.saslPort },
    connect: endpointOf(settings.connectUrl, 8083),
    registry: endpointOf(settings.schemaRegistryUrl, 8081),
    smtp: endpointOf(settings.smtpUrl, 25),
    mailWeb: endpointOf(settings.mailWebUrl, 80),
  };
}

/** The environment variable that moves each port, for "port taken" messages. */
export const PORT_SETTING: Record<keyof StackEndpoints, string> = {
  postgres: 'REATIVA_ERP_SUPERUSER_DATABASE_URL, REATIVA_ERP_DATABASE_URL, REATIVA_ERP_ADMIN_DATABASE_URL and REATIVA_DATABASE_URL',
  kafka: 'REATIVA_KAFKA_BROKERS',
  kafkaController: 'REATIVA_KAFKA_CONTROLLER_PORT',
  kafkaSasl: 'REATIVA_KAFKA_SASL_PORT',
  connect: 'REATIVA_CONNECT_URL',
  registry: 'REATIVA_SCHEMA_REGISTRY_URL',
  smtp: 'REATIVA_SMTP_URL',
  mailWeb: 'REATIVA_MAIL_WEB_URL',
};
