import type { CrmDb, Requester } from '../db/port.ts';
import type { Skill } from './skill.ts';

export type ChannelKind = 'repl' | 'slack' | 'teams';

/** An action as data, before (or after) validation: what a button carries and what `run` accepts. */
export type ActionInput = { type: string } & Record<string, unknown>;

/** A message as every channel hands it to the core. */
export interface Inbound {
  /** Unique per delivery source (Slack event id, Teams activity id, REPL counter): the idempotency key. */
  requestId: string;
  channel: ChannelKind;
  /** Where it was said: a channel or conversation id; absent or 'dm' in a direct conversation. */
  conversation?: string;
  text: string;
  user: Requester;
  /** The customer message an escalation is raised from (Slack shortcut/reaction, Teams message action). */
  source?: { text: string; link?: string; author?: string };
  /** Where a long-running step reports progress ("exporting activities: 500 of 2,000 rows"). */
  progress?: (text: string) => void;
}

export interface Table {
  columns: string[];
  rows: (string | number)[][];
  /** Rows not shown ("and N more"). */
  more?: number;
}

export interface ReplyFile {
  name: string;
  mime: string;
  data: Uint8Array;
  /** Where the REPL wrote it, or a signed link when stored remotely. */
  path?: string;
}

/** What can be done next with a support case the reply is about (channels show them as buttons). */
export type CaseAction = 'acknowledge' | 'resolve' | 'reassign';

export interface Reply {
  kind: 'answer' | 'question' | 'confirm' | 'done' | 'refusal' | 'error';
  text: string;
  table?: Table;
  files?: ReplyFile[];
  /** A write waiting for its author's yes/no. */
  confirm?: { pendingId: string; preview: string };
  /** Contains amounts, contact details or data-request contents: private in shared channels. */
  sensitive?: boolean;
  /** Answers to a "which one?" question: picking one runs the same request with that record. */
  choices?: { label: string; action: ActionInput }[];
  /** The support case the reply announces, and what its buttons may do with it. */
  caseActions?: { case: string; actions: CaseAction[] };
  /** How the message was read: the action before names were matched to records, or a yes or no as confirm / cancel. */
  read?: ActionInput;
}

/** What a skill works with; it never knows which channel it serves. */
export interface SkillContext {
  db: CrmDb;
  user: Requester;
  /** The caller's today (YYYY-MM-DD), injectable for tests. */
  today: string;
  now: () => Date;
  /** The message being escalated, when the action was raised on one (data, never instructions). */
  source?: Inbound['source'];
  /** Reports progress of a long step to the asker, where the channel can show it. */
  progress: (text: string) => void;
  /** Whether answers may carry chart images (off for text-only deployments and benchmarks). */
  charts: boolean;
  /** Where the request was made (for settings about that place, and how to address the assistant there). */
  place: { channel: ChannelKind; conversation?: string };
  /** The assistant's skills, for help to describe. */
  skills: readonly Skill[];
}

/**
 * The outcome of preparing an action: the payload to run, a question back to the user, or an answer
 * that needs nothing run (e.g. "that request was already completed").
 */
export type Prepared =
  | { payload: Record<string, unknown>; preview?: string }
  | { question: string; choices?: Choices }
  | { answer: string; sensitive?: boolean };

/** The records a "which one?" question offers, for the name the user typed. */
export interface Choices {
  typed: string;
  /** Each answer names a record for the typed name, or is another request altogether (create it as a new account). */
  options: ({ label: string; value: string } | { label: string; action: ActionInput })[];
}
