import { defineSkill } from '../../src/core/skill.ts';
import { activityLog } from './log.ts';

export const calls = defineSkill(import.meta.url, [activityLog]);
