// REATIVA_STACK selects who provides the services:
//   native   — local processes started by Reativa (the default; what CI runs);
//   docker   — docker-compose.yml through testcontainers;
//   external — the user's own cluster: nothing is started or stopped, only checked.
import type { Settings } from '../settings.js';
import { DockerStack } from './docker.js';
import { StackError } from '../errors/stack-error.js';
import { collectStatus, NativeStack, type Print, type StackStatus } from './native.js';

export interface Stack {
  up(): Promise<void>;
  down(): Promise<void>;
  status(): Promise<StackStatus>;
}

class ExternalStack implements Stack {
  constructor(private readonly settings: Settings, private readonly print: Print) {}

  async up(): Promise<void> {
    const status = await this.status();
    const down = status.components.filter((c) => !c.up && c.name !== 'smtp');
    if (down.length > 0) {
      throw new StackError(
        `REATIVA_STACK=external: Reativa starts nothing, and these are not reachable: ${down.map((c) => `${c.name} (${c.endpoint})`).join(', ')}`,
      );
    }
    this.print('external stack reachable');
  }

  async down(): Promise<void> {
    this.print('REATIVA_STACK=external: nothing to stop');
  }

  status(): Promise<StackStatus> {
    return collectStatus(this.settings);
  }
}

export function createStack(settings: Settings, print: Print = () => undefined): Stack {
  switch (settings.stackMode) {
    case 'native':
      return new NativeStack(settings, print);
    case 'docker':
      return new DockerStack(settings, print);
    case 'external':
      return new ExternalStack(settings, print);
  }
}
