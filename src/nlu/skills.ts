/** The declarative skill definitions in skills/*.json: descriptions, examples and clarifying questions. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Action, type ActionType } from '../actions/schema.ts';

const ACTION_TYPES = Action.options.map((o) => o.shape.type.value) as [ActionType, ...ActionType[]];

const SkillExample = z.strictObject({
  text: z.string(),
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  expected: z.looseObject({ type: z.enum(ACTION_TYPES) }),
});

const SkillFile = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  /** Clean example sentences for help (the examples below are the parser's test data, typos and all). */
  usage: z.array(z.string().min(1)).default([]),
  actions: z.array(z.enum(ACTION_TYPES)).min(1),
  examples: z.array(SkillExample),
  missing: z.record(z.string(), z.string().min(1)),
});

export type SkillExample = z.infer<typeof SkillExample>;
export type Skill = z.infer<typeof SkillFile> & { file: string };

export const SKILLS_DIR = fileURLToPath(new URL('../../skills/', import.meta.url));

let cache: Skill[] | undefined;

/** Reads and checks every skills/*.json once (sync, cached). Throws on a malformed file: that is a deploy bug. */
export function loadSkills(): Skill[] {
  if (cache) return cache;
  const files = readdirSync(SKILLS_DIR).filter((f) => f.endsWith('.json')).sort();
  cache = files.map((file) => {
    const parsed = SkillFile.safeParse(JSON.parse(readFileSync(SKILLS_DIR + file, 'utf8')));
    if (!parsed.success) throw new Error(`skills/${file}: ${z.prettifyError(parsed.error)}`);
    return { ...parsed.data, file };
  });
  return cache;
}

/** The question a skill asks when `<actionType>.<field>` is missing, e.g. "deal.update.deal". */
export function missingQuestion(key: string): string | undefined {
  for (const skill of loadSkills()) if (skill.missing[key]) return skill.missing[key];
  return undefined;
}
