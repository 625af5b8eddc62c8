import { z } from 'zod';
import { SKILLS } from '../../skills/index.ts';
import type { ActionSchema, ActionSpec, Skill } from '../core/skill.ts';
import { text } from './fields.ts';

/**
 * The typed actions, derived from the skills: the zod union that every way an action enters goes through (a
 * parser's output, a button's value, an edited form), and the list of specs the core looks actions up in.
 */

/** The parser could not tell what was meant, and asks instead of guessing: part of the contract, run by no skill. */
export const Clarify = z.strictObject({ type: z.literal('clarify'), question: text(1000) });

type Specs<S> = S extends Skill<infer A> ? A[number] : never;
type AnySpec = Specs<(typeof SKILLS)[number]>;

export const SPECS: readonly ActionSpec[] = SKILLS.flatMap((s): readonly ActionSpec[] => s.actions);

const schemas: [ActionSchema, ...ActionSchema[]] = [Clarify, ...SPECS.map((a) => a.schema)];

export type Action = z.infer<AnySpec['schema']> | z.infer<typeof Clarify>;
export type ActionType = Action['type'];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

export const Action = z.discriminatedUnion('type', schemas) as unknown as z.ZodType<Action>;
export const ACTION_TYPES = schemas.map((s) => s.shape.type.value as ActionType);

/** The actions of the contract (shared/action-contract.md), which the parsers emit and the LLM has tools for. */
export const CANONICAL: readonly ActionSchema[] = [...SPECS.filter((a) => a.canonical).map((a) => a.schema), Clarify];

const byType = new Map(SPECS.map((a) => [a.schema.shape.type.value, a]));
export const specOf = (type: string): ActionSpec | undefined => byType.get(type);
export const skillOf = (type: string) => SKILLS.find((s) => s.actions.some((a) => a.schema.shape.type.value === type));
export const schemaOf = (type: string): ActionSchema | undefined =>
  type === 'clarify' ? Clarify : byType.get(type)?.schema;

/** Validates an untrusted payload (parser or LLM output, a button's value) into an action. */
export function validateAction(input: unknown): { ok: true; action: Action } | { ok: false; error: string } {
  const r = Action.safeParse(input);
  if (r.success) return { ok: true, action: r.data };
  return { ok: false, error: z.prettifyError(r.error) };
}
