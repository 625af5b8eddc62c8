import { Action } from '../../src/actions/schema.ts';

/** Every action type that runs in the database (help and clarify are answered by the core). */
export const ACTION_TYPES_IN_DB: string[] = Action.options.map((o) => o.shape.type.value).filter((t) => t !== 'help' && t !== 'clarify');
