import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tsx) or dist/ (compiled). */
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export const projectPath = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
