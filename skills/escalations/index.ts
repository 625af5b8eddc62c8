import { defineSkill } from '../../src/core/skill.ts';
import { escalationCreate } from './create.ts';
import { supportJobs } from './jobs.ts';
import { caseList } from './list.ts';
import { caseMetrics } from './metrics.ts';
import { caseNote } from './note.ts';
import { caseShow } from './show.ts';
import { escalationUpdate } from './update.ts';

export const escalations = defineSkill(
  import.meta.url,
  [escalationCreate, escalationUpdate, caseShow, caseList, caseNote, caseMetrics],
  {
    jobs: supportJobs,
  },
);
