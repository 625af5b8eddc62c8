import { defineSkill } from '../../src/core/skill.ts';
import { undo } from './undo.ts';

export const undoSkill = defineSkill(import.meta.url, [undo]);
