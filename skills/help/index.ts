import { defineSkill } from '../../src/core/skill.ts';
import { help } from './help.ts';

export const helpSkill = defineSkill(import.meta.url, [help]);
