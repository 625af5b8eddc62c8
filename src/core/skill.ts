import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ChannelScope, Role } from '../actions/fields.ts';
import type { IntentRule } from '../nlu/intents.ts';
import type { Ctx } from '../nlu/offline/context.ts';
import type { JobHandler } from '../jobs/scheduler.ts';
import type { CrmDb } from '../db/port.ts';
import type { Notifier } from '../jobs/notifier.ts';
import type { ActionInput, Prepared, Reply, SkillContext } from './types.ts';

/**
 * A skill is one folder under skills/: what the assistant can do in one area (the pipeline, calls, deals, …).
 * Its `skill.json` holds the words (description, help examples, the parser's example utterances, the questions
 * asked when a field is missing); its modules hold one action each: the zod schema of the action, who may run it,
 * which channel scope covers it, how it is prepared (names resolved, a write described) and how its result reads.
 * skills/index.ts lists the skills; everything that is a list of actions (the action union, the capability matrix,
 * the channel scopes, the parser's dispatch, help, the LLM's tools) is derived from it.
 */

type Shape = { type: z.ZodLiteral<string> } & z.ZodRawShape;
export type ActionSchema = z.ZodObject<Shape>;

// biome-ignore lint/suspicious/noExplicitAny: the registry holds specs of every result type; each spec is typed where it is defined
export interface ActionSpec<S extends ActionSchema = ActionSchema, R = any> {
  schema: S;
  /** In the action contract (shared/action-contract.md): the parsers emit it, the parse CLI prints it, the LLM has a tool for it. */
  canonical: boolean;
  /** Who may ask for it: the core's gate; the same rows are in `private.capabilities` for `perform`, and RLS decides what it touches. */
  roles: readonly Role[];
  /**
   * The channel scope that covers it (a channel set to "escalations only" runs only those); `always` for help and
   * clarify; `settings` for a channel's own settings, which only an installation limited to some scopes refuses.
   */
  scope: Exclude<ChannelScope, 'everything'> | 'always' | 'settings';
  /** What a role without it is told it cannot do: "Your role (support) can't {refusal}." */
  refusal?: string;
  /** A write: shown exactly as it will be written and confirmed by its author before it runs. */
  writes: boolean;
  /** Answered in-process from the prepared payload, without the database (help). */
  local?: boolean;
  /** How the offline parser reads it: the intent rules that vote for it, and its extractor once one of them won. */
  nlu?: { rules: readonly IntentRule[]; extract: (ctx: Ctx) => ActionInput };
  /** Resolves names against the CRM, checks what can be checked before running, describes a write. */
  prepare(action: z.infer<S>, ctx: SkillContext): Promise<Prepared>;
  /** Turns the result of `perform` (or of `prepare`, for local actions) into the reply. */
  format(result: R, ctx: SkillContext): Reply | Promise<Reply>;
}

export const defineAction = <S extends ActionSchema, R = Record<string, unknown>>(spec: ActionSpec<S, R>) => spec;

const Example = z.strictObject({
  text: z.string(),
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  expected: z.looseObject({ type: z.string() }),
});
export type SkillExample = z.infer<typeof Example>;

const SkillFile = z.strictObject({
  description: z.string().min(1),
  /** Clean example sentences for help (the examples below are the parser's test data, typos and all). */
  usage: z.array(z.string().min(1)),
  /** How the skill's figures are computed, for "help <topic>" and "how is that computed?". */
  explain: z.array(z.string().min(1)).optional(),
  examples: z.array(Example),
  /** The question asked when `<action type>.<field>` is missing, e.g. "deal.update.deal". */
  missing: z.record(z.string(), z.string().min(1)),
});

/** What a skill's scheduler jobs get to work with. */
export interface JobDeps {
  db: CrmDb;
  notifier: Notifier;
  now: () => Date;
}

export interface Skill<A extends readonly ActionSpec[] = readonly ActionSpec[]> extends z.infer<typeof SkillFile> {
  name: string;
  actions: A;
  /** Durable jobs the skill's SQL enqueues (reminders, SLA checks), by job kind. */
  jobs?: (deps: JobDeps) => Record<string, JobHandler>;
}

/** A skill from its folder (`import.meta.url` of its index.ts): reads and checks its skill.json once, at start-up. */
export function defineSkill<const A extends readonly ActionSpec[]>(
  folder: string,
  actions: A,
  extra: Pick<Skill, 'jobs'> = {},
): Skill<A> {
  const url = new URL('skill.json', folder);
  const name = url.pathname.split('/').at(-2)!;
  const parsed = SkillFile.safeParse(JSON.parse(readFileSync(url, 'utf8')));
  if (!parsed.success) throw new Error(`skills/${name}/skill.json: ${z.prettifyError(parsed.error)}`);
  return { name, ...parsed.data, actions, ...extra };
}

export const typeOf = (spec: ActionSpec) => spec.schema.shape.type.value;
