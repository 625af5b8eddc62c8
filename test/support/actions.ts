import { ACTION_TYPES, specOf } from '../../src/actions/index.ts';

/** Every action type that runs in the database (clarify and the local ones, such as help, are answered by the core). */
export const ACTION_TYPES_IN_DB: string[] = ACTION_TYPES.filter((t) => t !== 'clarify' && !specOf(t)?.local);
