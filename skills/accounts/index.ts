import { defineSkill } from '../../src/core/skill.ts';
import { accountCreate } from './create.ts';
import { accountSummary } from './summary.ts';

export const accounts = defineSkill(import.meta.url, [accountSummary, accountCreate]);
