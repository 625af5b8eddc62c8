import type { ChannelScope, Role } from '../actions/fields.ts';

/**
 * The data surface: every `public.<fn>(args jsonb) returns jsonb` the TypeScript side calls, with the shape of
 * its argument and of its answer, written once. Adapters are typed by it, so a changed shape fails `tsc`.
 * On the wire, keys are snake_case (the SQL's own convention); actions keep the contract's camelCase, and each
 * skill's `prepare` turns the one into the other. What each action's `perform` returns is typed by that action.
 */

/** The CRM user on whose behalf an action runs. Every user request executes with their rights. */
export interface Requester {
  id: string;
  name: string;
  email: string;
  role: Role;
  team: string | null;
  region: string | null;
  timezone?: string;
}

export type EntityKind = 'account' | 'contact' | 'deal' | 'user';
export interface Entity {
  id: string;
  name: string;
  detail?: string;
  account_id?: string;
}

export interface DealHit {
  id: string;
  name: string;
  account: string;
  stage: string;
  close_date: string;
  open: boolean;
  match: 'name' | 'account' | 'account_in_query' | 'similar';
}

export interface DealState {
  stage: string;
  amount: number;
  close_date: string;
  owner: string;
  next_step?: string | null;
  loss_reason?: string | null;
}

/** An open task, as found by its words or listed. */
export interface TaskHit {
  id: string;
  text: string;
  due_date: string | null;
  due_time: string | null;
  assignee: string;
  contact: string | null;
  account: string | null;
}

export interface OpenDeal {
  id: string;
  name: string;
  stage: string;
  close_date: string;
  contact_id: string | null;
}

export interface LeadHit {
  id: string;
  name: string;
  company: string | null;
  status: string;
  exact: boolean;
}

/** A case as the escalation functions return it (`private.case_json`). */
export interface CaseInfo {
  id: number;
  summary: string;
  severity: string;
  category: string;
  status: string;
  source_link: string | null;
  escalation_level: number;
  account: { id: string; name: string; tier: string } | null;
  contact: { id: string; name: string } | null;
  assignee: { id: string; name: string } | null;
  reporter: { id: string; name: string } | null;
  created_at: string;
  first_response_due: string;
  resolution_due: string;
  first_response_at: string | null;
  resolved_at: string | null;
}

/** What `sla_check` reports when a deadline was missed. */
export interface BreachStep {
  status: 'escalated' | 'breached';
  check: 'first_response' | 'resolution';
  due: string;
  level: number;
  title: string;
  to: { id: string; name: string } | null;
  case: CaseInfo;
}
export type SlaCheck = { status: 'gone' | 'met' | 'done' | 'pending'; next_check_at?: string } | BreachStep;

/** A data request as `private.data_request_json` returns it. */
export interface DataRequest {
  id: number;
  kind: string;
  law: string;
  status: string;
  subject: string;
  contact: string | null;
  account: string | null;
  received_on: string;
  due_date: string;
  requested_by: string;
  verified_by: string | null;
  verification_method: string | null;
  approved_by: string | null;
  executed_at: string | null;
  changed_fields: string[] | null;
  changes: Record<string, string> | null;
  result: {
    done?: string[];
    kept?: string[];
    completed_on?: string;
    deadline_met?: boolean;
    reason?: string | null;
  } | null;
  days_left?: number;
}

/** A write waiting for its author, with the names of the records its stored action points at by id. */
export interface PendingRow {
  id: string;
  action: Record<string, unknown> & { type: string };
  preview: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  names: Record<string, string>;
}

/** What `perform` answers: the action's own result, or why nothing ran. */
export type PerformResult = Record<string, unknown> & {
  action?: string;
  replayed?: boolean;
  error?: string;
  message?: string;
};

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface DueReminder {
  task_id: string;
  assignee_id: string;
  text: string;
  due_date: string;
  due_time: string | null;
  contact: string | null;
  account: string | null;
}

/** How a channel user is named to `user_for_channel`: one of these. */
export type ChannelIdentityKey =
  | { id: string }
  | { name: string }
  | { email: string }
  | { slack_user_id: string }
  | { teams_aad_id: string };

type Problem = { problem: string | null };

/** Every function, by name: `args` is what it is called with, `result` what it answers. */
export interface Rpc {
  whoami: {
    args: Record<string, never>;
    result: { uid: string | null; role: string | null; team: string | null; db_role: string };
  };
  // The action API: a write waits as a pending action until its author confirms it; `perform` runs one action once.
  pending_put: {
    args: { request_id: string; channel: string; action: Record<string, unknown>; preview: string };
    result: { id: string; status: PendingRow['status']; preview: string };
  };
  pending_get: { args: { id: string }; result: PendingRow | null };
  pending_cancel: { args: { id: string }; result: { cancelled: boolean } };
  perform: {
    args:
      | { pending_id: string }
      | { request_id: string; channel: string; action: string; payload: Record<string, unknown> };
    result: PerformResult;
  };
  channel_scopes: { args: { channel: string; conversation?: string }; result: ChannelScope[] | null };
  // What a conversation remembers between messages (the channel kit's state), and the write "undo" would take back.
  conversation_get: { args: { conversation: string }; result: Record<string, unknown> };
  conversation_put: { args: { conversation: string; state: Record<string, unknown> }; result: Record<string, never> };
  undo_candidate: {
    args: { writes: string[] };
    result: {
      audit_id: number;
      action: string;
      at: string;
      undone: boolean;
      recent: boolean;
      what: string | null;
    } | null;
  };
  // Finding records as the asker sees them.
  find_entities: { args: { kind: EntityKind; q: string; limit?: number } & Record<string, unknown>; result: Entity[] };
  customer_360: { args: { contact_id: string } | { account_id: string }; result: Record<string, unknown> };
  find_deals: { args: { q: string; limit: number }; result: DealHit[] };
  find_leads: { args: { q: string; limit: number }; result: LeadHit[] };
  find_tasks: { args: { words: string[] }; result: TaskHit[] };
  deal_brief: { args: { id: string }; result: DealState & { name: string; account: string } };
  account_open_deals: { args: { account_id: string; contact_id: string | null }; result: OpenDeal[] };
  pipeline_teams: { args: Record<string, never>; result: string[] };
  case_brief: { args: { case: string }; result: { case: CaseInfo } | null };
  check_case_assignee: { args: { user_id: string }; result: Problem };
  contacts_with_email: { args: { email: string }; result: Entity[] };
  data_request_get: { args: { id: string }; result: DataRequest };
  data_request_deadline: { args: { law: string; received_on: string }; result: { due_date: string } };
  // Checks that refuse a write before its author is asked to confirm it, with the words the write itself would use.
  check_rep_action: { args: { action: string; payload: Record<string, unknown> }; result: Problem };
  check_task_assignee: { args: { assignee_id: string }; result: Problem };
  check_data_request_create: { args: Record<string, unknown>; result: Problem };
  check_data_request_step: { args: { request: string; step: string; method: string | null }; result: Problem };
  record_llm_call: { args: { prompt_hash: string; model: string; latency_ms: number; outcome: string }; result: null };
  // System work, for the service role only: who a chat user is, durable jobs, proactive messages.
  user_for_channel: { args: ChannelIdentityKey; result: (Requester & { slack_user_id?: string | null }) | null };
  users_named: { args: { name: string }; result: Requester[] };
  contact_names: { args: Record<string, never>; result: string[] };
  claim_jobs: { args: { now: string; limit: number; kinds: string[] }; result: ClaimedJob[] };
  finish_job: { args: { id: number; error?: string }; result: null };
  enqueue_job: {
    args: { kind: string; run_at?: string; payload: Record<string, unknown>; dedupe_key?: string | null };
    result: { id: number | null };
  };
  reminder_task: { args: { task_id: unknown }; result: DueReminder | null };
  reminder_sent: { args: { task_id: string }; result: { marked: boolean } };
  reminder_unsent: { args: { task_id: string }; result: null };
  sla_check: { args: { case_id: unknown; check: unknown; now: string }; result: SlaCheck };
  case_notice: { args: { case_id: unknown }; result: { case: CaseInfo } | null };
  route_queued: { args: { now: string }; result: { picked: { case: number; to: string }[] } };
  notice_target: { args: { channel: 'slack' | 'teams'; notices: string }; result: string | null };
  claim_delivery: { args: { channel: 'slack' | 'teams'; id: string }; result: boolean };
  teams_reference_save: {
    args: { conversation_id: string; kind: string; user_id: string | null; reference: Record<string, unknown> };
    result: null;
  };
  teams_reference_load: {
    args: { user_id: string } | { conversation_id: string };
    result: Record<string, unknown> | null;
  };
}

export type RpcName = keyof Rpc;
export type RpcArgs<N extends RpcName> = Rpc[N]['args'];
export type RpcResult<N extends RpcName> = Rpc[N]['result'];
