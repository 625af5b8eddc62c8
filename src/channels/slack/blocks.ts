import type { types } from '@slack/bolt';
import type { CaseAction, Reply } from '../../core/types.ts';
import { replyAsText, textTable } from '../../format/text.ts';

type Block = types.KnownBlock;

/** Block action ids; the button's value carries the pending id, the case number or (choose) the chosen action. */
export const ACTION = {
  confirm: 'crm_confirm',
  cancel: 'crm_cancel',
  edit: 'crm_edit',
  caseAcknowledge: 'case_acknowledge',
  caseResolve: 'case_resolve',
  caseReassign: 'case_reassign',
  /** Prefix of the answers to a "which one?" question: crm_choose_0, crm_choose_1, ... (ids are unique per block). */
  choose: 'crm_choose',
} as const;

/** Matches every answer button of a "which one?" question. */
export const CHOOSE_ACTION = new RegExp(`^${ACTION.choose}_\\d+$`);

export const VIEW = { edit: 'crm_edit_form', reassign: 'case_reassign_form' } as const;

const CASE_BUTTON: Record<CaseAction, { text: string; id: string }> = {
  acknowledge: { text: 'Acknowledge', id: ACTION.caseAcknowledge },
  resolve: { text: 'Resolve', id: ACTION.caseResolve },
  reassign: { text: 'Reassign', id: ACTION.caseReassign },
};

const SECTION_LIMIT = 2900;
/** Slack's limits for a button's text and value, and for the elements of one actions block. */
const BUTTON_TEXT_LIMIT = 75;
const BUTTON_VALUE_LIMIT = 2000;
const ACTIONS_PER_BLOCK = 25;

/** Text from the CRM and from users is data: it must not become mentions or links. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sections(text: string): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < text.length; i += SECTION_LIMIT) {
    out.push({ type: 'section', text: { type: 'mrkdwn', text: text.slice(i, i + SECTION_LIMIT) } });
  }
  return out;
}

const button = (text: string, action_id: string, value: string, style?: 'primary' | 'danger'): types.Button => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id,
  value,
  ...(style ? { style } : {}),
});

const buttonText = (label: string) =>
  label.length > BUTTON_TEXT_LIMIT ? `${label.slice(0, BUTTON_TEXT_LIMIT - 1)}…` : label;

/**
 * One button per answer of a "which one?" question, carrying the action it runs (validated again
 * when clicked). An answer whose action does not fit in a button's value is left out.
 */
function choiceButtons(reply: Reply): types.Button[] {
  return (reply.choices ?? [])
    .map((c, i) => ({ text: buttonText(c.label), id: `${ACTION.choose}_${i}`, value: JSON.stringify(c.action) }))
    .filter((c) => c.value.length <= BUTTON_VALUE_LIMIT)
    .slice(0, ACTIONS_PER_BLOCK)
    .map((c) => button(c.text, c.id, c.value));
}

/** The reply as Block Kit: text, table as a preformatted block, and its buttons. */
export function replyBlocks(reply: Reply, { caseButtons = true } = {}): Block[] {
  const text = reply.confirm ? reply.confirm.preview : reply.text;
  const blocks = sections(escapeMrkdwn(text));
  if (reply.table) blocks.push(...sections(`\`\`\`${escapeMrkdwn(textTable(reply.table))}\`\`\``));
  if (reply.confirm) {
    const id = reply.confirm.pendingId;
    blocks.push({
      type: 'actions',
      block_id: `confirm:${id}`,
      elements: [
        button('Confirm', ACTION.confirm, id, 'primary'),
        button('Cancel', ACTION.cancel, id),
        button('Edit', ACTION.edit, id),
      ],
    });
  }
  const choices = choiceButtons(reply);
  if (choices.length) blocks.push({ type: 'actions', block_id: 'choose', elements: choices });
  if (caseButtons && reply.caseActions) {
    const { case: caseNo, actions } = reply.caseActions;
    blocks.push({
      type: 'actions',
      block_id: `case:${caseNo}`,
      elements: actions.map((a, i) =>
        button(CASE_BUTTON[a].text, CASE_BUTTON[a].id, caseNo, i === 0 ? 'primary' : undefined),
      ),
    });
  }
  return blocks;
}

/** The notification text (and the fallback for clients that do not show blocks). */
export const replyText = (reply: Reply): string => replyAsText(reply).slice(0, 3900);

/** The App Home tab: the user's tasks and open cases, or why they are missing. */
export function homeView(name: string, parts: { title: string; reply: Reply }[]): types.HomeView {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Hi ${name.split(' ')[0]} — your CRM` } },
  ];
  for (const { title, reply } of parts) {
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(title)}*` } });
    blocks.push(...replyBlocks(reply, { caseButtons: false }));
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Ask me anything in a DM, with `/crm`, or by mentioning me in a channel.' }],
  });
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

/** A modal that only says something (e.g. "that request is no longer waiting"). */
export function noticeView(title: string, text: string): types.ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: sections(escapeMrkdwn(text)),
  };
}
