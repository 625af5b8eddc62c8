import { ACTION_TYPES } from '../../src/actions/index.ts';

/** Every action type that runs in the database (help and clarify are answered by the core). */
export const ACTION_TYPES_IN_DB: string[] = ACTION_TYPES.filter((t) => t !== 'help' && t !== 'clarify');
