import { defineSkill } from '../../src/core/skill.ts';
import { insightQuery } from './query.ts';

export const insights = defineSkill(import.meta.url, [insightQuery]);
