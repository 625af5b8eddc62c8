import { defineSkill } from '../../src/core/skill.ts';
import { dealCreate } from './create.ts';
import { dealUpdate } from './update.ts';

export const deals = defineSkill(import.meta.url, [dealUpdate, dealCreate]);
