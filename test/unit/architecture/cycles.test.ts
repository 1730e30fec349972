// No import cycles in src/ (madge, the same check `.ci/run` prints).
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../../src/paths.js';

describe('imports', () => {
  it('have no cycles', async () => {
    const graph = await madge(projectPath('src'), { fileExtensions: ['ts'], tsConfig: projectPath('tsconfig.json') });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(50);
    expect(graph.circular()).toEqual([]);
    // madge parses every file of src/: a few seconds, more on a busy machine.
  }, 60_000);
});
