import { defineSkill } from '../../src/core/skill.ts';
import { pipelineQuery } from './query.ts';

export const pipeline = defineSkill(import.meta.url, [pipelineQuery]);
