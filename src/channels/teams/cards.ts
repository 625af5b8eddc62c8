import { CardFactory, type Activity, type Attachment } from 'botbuilder';
import type { ActionInput, CaseAction, Reply, ReplyFile, Table } from '../../core/types.ts';
import { replyAsText } from '../../format/text.ts';

/** Adaptive Card elements are plain JSON; this is the part of the schema the bot writes. */
type Element = Record<string, unknown>;
export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Element[];
  actions?: Element[];
  fallbackText?: string;
};

/** What a confirmation button sends back: `Action.Execute` (chat cards) or `Action.Submit` (message-extension dialogs). */
export interface ConfirmData {
  crm: 'confirm' | 'cancel';
  pendingId: string;
}

/** What an answer button of a "which one?" question sends back (Action.Execute, verb `choose`). */
export interface ChooseData {
  crm: 'choose';
  action: ActionInput;
}

/** What a case post's button sends back (Action.Execute, verb `case`); Reassign also sends the name typed in its field. */
export interface CaseData {
  crm: 'case';
  case: string;
  change: CaseAction;
  assignee?: string;
}

export type CardData = ConfirmData | ChooseData | CaseData;

const CASE_TITLE: Record<CaseAction, string> = { acknowledge: 'Acknowledge', resolve: 'Resolve', reassign: 'Reassign' };

/** A case post's buttons; Reassign opens a field for the new assignee's name first. */
function caseButtons({ case: id, actions }: NonNullable<Reply['caseActions']>): Element[] {
  return actions.map((change) => {
    const data: CaseData = { crm: 'case', case: id, change };
    const execute = { type: 'Action.Execute', title: CASE_TITLE[change], verb: 'case', data };
    if (change !== 'reassign') return execute;
    return {
      type: 'Action.ShowCard',
      title: CASE_TITLE[change],
      card: card(
        [{ type: 'Input.Text', id: 'assignee', label: 'New assignee', placeholder: "A support agent's name" }],
        { actions: [execute] },
      ),
    };
  });
}

const TABLE_ROWS = 40;
/** Teams drops bot messages over ~28 KB; an image larger than this stays out of the card. */
const INLINE_IMAGE_CHARS = 20_000;
const INLINE_TEXT_FILE_BYTES = 4_000;

const card = (body: Element[], extra: Partial<AdaptiveCard> = {}): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body,
  ...extra,
});

const textBlocks = (text: string): Element[] =>
  text
    .split('\n')
    .map((line, i) => ({ type: 'TextBlock', text: line || ' ', wrap: true, ...(i ? { spacing: 'None' } : {}) }));

const cell = (value: string | number, header = false): Element => ({
  type: 'TableCell',
  items: [{ type: 'TextBlock', text: String(value), wrap: true, ...(header ? { weight: 'Bolder' } : {}) }],
});

export function tableElements({ columns, rows, more = 0 }: Table): Element[] {
  const shown = rows.slice(0, TABLE_ROWS);
  const hidden = more + rows.length - shown.length;
  const table: Element = {
    type: 'Table',
    firstRowAsHeader: true,
    showGridLines: true,
    columns: columns.map(() => ({ width: 1 })),
    rows: [columns, ...shown].map((r, i) => ({ type: 'TableRow', cells: r.map((v) => cell(v, i === 0)) })),
  };
  return hidden > 0
    ? [table, { type: 'TextBlock', text: `… and ${hidden} more`, isSubtle: true, wrap: true }]
    : [table];
}

/** Small images and text files travel inside the card; anything bigger needs a link (see files.ts). */
export function fitsInline(file: Pick<ReplyFile, 'mime' | 'data'>): boolean {
  if (file.mime.startsWith('image/')) return Math.ceil(file.data.byteLength / 3) * 4 <= INLINE_IMAGE_CHARS;
  return /^(text\/|application\/json)/.test(file.mime) && file.data.byteLength <= INLINE_TEXT_FILE_BYTES;
}

export function fileElements(file: ReplyFile): Element[] {
  const link = file.path?.startsWith('https://') ? file.path : undefined;
  const image = file.mime.startsWith('image/');
  if (image && fitsInline(file))
    return [
      {
        type: 'Image',
        url: `data:${file.mime};base64,${Buffer.from(file.data).toString('base64')}`,
        altText: file.name,
      },
    ];
  if (image && link) return [{ type: 'Image', url: link, altText: file.name }];
  if (fitsInline(file)) {
    return [
      { type: 'TextBlock', text: file.name, weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: new TextDecoder().decode(file.data),
        fontType: 'Monospace',
        wrap: true,
        spacing: 'None',
      },
    ];
  }
  if (link) return [{ type: 'TextBlock', text: `[${file.name}](${link})`, wrap: true }];
  return [
    {
      type: 'TextBlock',
      text: `${file.name} is too large to show in Teams; ask for it in the terminal or Slack.`,
      isSubtle: true,
      wrap: true,
    },
  ];
}

/** A reply as a card: its text, then its table and files; a write waiting for confirmation gets the two buttons, a question its answers. */
export function replyCard(reply: Reply, buttons: 'execute' | 'submit' = 'execute'): AdaptiveCard {
  if (reply.confirm) {
    const { pendingId, preview } = reply.confirm;
    const button = (title: string, crm: ConfirmData['crm'], style: string) => {
      const data: ConfirmData = { crm, pendingId };
      return buttons === 'execute'
        ? { type: 'Action.Execute', title, verb: crm, data, style }
        : { type: 'Action.Submit', title, data, style };
    };
    return card(textBlocks(preview), {
      actions: [button('Confirm', 'confirm', 'positive'), button('Cancel', 'cancel', 'destructive')],
      fallbackText: `${preview}\n(Open this message in Teams to confirm or cancel.)`,
    });
  }
  const body = [...textBlocks(reply.text)];
  if (reply.table) body.push(...tableElements(reply.table));
  for (const f of reply.files ?? []) body.push(...fileElements(f));
  const actions = [
    ...(reply.choices ?? []).map(({ label, action }) => {
      const data: ChooseData = { crm: 'choose', action };
      return { type: 'Action.Execute', title: label, verb: 'choose', data };
    }),
    ...(reply.caseActions ? caseButtons(reply.caseActions) : []),
  ];
  return card(body, { fallbackText: replyAsText(reply), ...(actions.length ? { actions } : {}) });
}

export const cardAttachment = (c: AdaptiveCard): Attachment => CardFactory.adaptiveCard(c);

/** The message activity for a reply: plain markdown text when that is all it is, a card otherwise. */
export function replyActivity(reply: Reply): Partial<Activity> {
  const summary = reply.text.split('\n')[0].slice(0, 200);
  if (!reply.table && !reply.files?.length && !reply.confirm && !reply.choices?.length && !reply.caseActions) {
    // Teams markdown needs a blank line for a line break.
    return { type: 'message', textFormat: 'markdown', text: reply.text.replace(/\n/g, '\n\n') };
  }
  return { type: 'message', summary, attachments: [cardAttachment(replyCard(reply))] };
}
