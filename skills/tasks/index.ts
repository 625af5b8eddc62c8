import { defineSkill } from '../../src/core/skill.ts';
import { taskComplete } from './complete.ts';
import { taskCreate } from './create.ts';
import { taskList } from './list.ts';
import { reminderJobs } from './reminders.ts';

export const tasks = defineSkill(import.meta.url, [taskCreate, taskComplete, taskList], { jobs: reminderJobs });
