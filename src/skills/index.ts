import type { Skill } from '../core/types.ts';
import { audit } from './audit.ts';
import { channels } from './channels.ts';
import { activityLog } from './activities.ts';
import { contactCreate, contactLookup } from './contacts.ts';
import { dataRequests } from './data-requests.ts';
import { dealCreate, dealUpdate } from './deals.ts';
import { caseHold, caseList, escalations } from './escalations.ts';
import { help } from './help.ts';
import { leadQualify } from './leads.ts';
import { taskCreate, taskList } from './tasks.ts';
import { pipeline } from './pipeline.ts';

/** Every skill the core can run, one module each. */
export const SKILLS: Skill[] = [help, audit, channels, pipeline, escalations, caseList, caseHold,
  activityLog, taskCreate, taskList, dealUpdate, dealCreate, contactLookup, contactCreate, leadQualify, dataRequests] as Skill[];
