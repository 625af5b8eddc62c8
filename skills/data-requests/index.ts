import { defineSkill } from '../../src/core/skill.ts';
import { dataRequestCreate } from './create.ts';
import { caseHold } from './hold.ts';
import { dataRequestList } from './list.ts';
import { dataRequestStep } from './step.ts';

export const dataRequests = defineSkill(import.meta.url, [
  dataRequestCreate,
  dataRequestList,
  dataRequestStep,
  caseHold,
]);
