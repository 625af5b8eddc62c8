import { accounts } from './accounts/index.ts';
import { admin } from './admin/index.ts';
import { calls } from './calls/index.ts';
import { contacts } from './contacts/index.ts';
import { dataRequests } from './data-requests/index.ts';
import { deals } from './deals/index.ts';
import { escalations } from './escalations/index.ts';
import { helpSkill } from './help/index.ts';
import { insights } from './insights/index.ts';
import { pipeline } from './pipeline/index.ts';
import { tasks } from './tasks/index.ts';
import { undoSkill } from './undo/index.ts';

/**
 * Every skill the assistant has, one line each. The action union, the capability matrix, the channel scopes,
 * the parser's dispatch, help and the LLM's tools are all derived from this list (src/actions/index.ts).
 */
export const SKILLS = [
  pipeline,
  calls,
  deals,
  accounts,
  contacts,
  tasks,
  escalations,
  dataRequests,
  insights,
  admin,
  undoSkill,
  helpSkill,
] as const;
