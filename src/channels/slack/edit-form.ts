import type { types } from '@slack/bolt';
import { z } from 'zod';
import { fieldKind } from '../../actions/fields.ts';
import { Action, schemaOf as schemaFor, type ActionType } from '../../actions/index.ts';
import { VIEW } from './blocks.ts';

/**
 * The Edit modal of a pending write, built from the action's zod schema so every write gets a form
 * (a parsed call log's kind, contact, summary, duration... each in its own field), prefilled from
 * the stored action. Its submission is validated by the same schema as any other action.
 */

type Field =
  | { key: string; kind: 'text'; multiline: boolean; optional: boolean }
  | { key: string; kind: 'date' | 'number' | 'boolean'; optional: boolean }
  | { key: string; kind: 'choice' | 'choices'; options: string[]; optional: boolean };

/** Where the edited request came from, carried through the modal. */
export interface EditOrigin {
  pendingId: string;
  type: ActionType;
  channel: string;
  threadTs?: string;
  responseUrl?: string;
}

const isDateKey = (key: string) => key === 'from' || key === 'to' || key.endsWith('Date');

function unwrap(t: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let inner = t;
  let optional = false;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) {
    optional = true;
    inner = (inner.def as unknown as { innerType: z.ZodType }).innerType;
  }
  return { inner, optional };
}

function schemaOf(type: ActionType): z.ZodObject {
  const found = schemaFor(type);
  if (!found) throw new Error(`no schema for ${type}`);
  return found;
}

function fieldsOf(type: ActionType): Field[] {
  const fields: Field[] = [];
  for (const [key, raw] of Object.entries(schemaOf(type).shape)) {
    if (key === 'type') continue;
    const { inner, optional } = unwrap(raw as z.ZodType);
    if (inner instanceof z.ZodEnum) fields.push({ key, kind: 'choice', options: inner.options.map(String), optional });
    else if (inner instanceof z.ZodArray && inner.element instanceof z.ZodEnum) {
      fields.push({ key, kind: 'choices', options: inner.element.options.map(String), optional });
    } else if (inner instanceof z.ZodNumber) fields.push({ key, kind: 'number', optional });
    else if (inner instanceof z.ZodBoolean) fields.push({ key, kind: 'boolean', optional });
    else if (inner instanceof z.ZodString) {
      if (isDateKey(key)) fields.push({ key, kind: 'date', optional });
      else fields.push({ key, kind: 'text', multiline: fieldKind(raw as z.ZodType) === 'free text', optional });
    }
    // Anything else (e.g. a data request's field -> value record) keeps its stored value.
  }
  return fields;
}

const label = (key: string) => {
  const words = key.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
const option = (v: string): types.PlainTextOption => ({
  text: { type: 'plain_text', text: v.replace(/_/g, ' ') },
  value: v,
});

function element(f: Field, value: unknown): types.InputBlock['element'] {
  const str = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  switch (f.kind) {
    case 'text':
      return {
        type: 'plain_text_input',
        action_id: 'v',
        multiline: f.multiline,
        ...(str ? { initial_value: str } : {}),
      };
    case 'number':
      return { type: 'number_input', action_id: 'v', is_decimal_allowed: true, ...(str ? { initial_value: str } : {}) };
    case 'date':
      return {
        type: 'datepicker',
        action_id: 'v',
        ...(str && /^\d{4}-\d{2}-\d{2}$/.test(str) ? { initial_date: str } : {}),
      };
    case 'boolean':
      return {
        type: 'static_select',
        action_id: 'v',
        options: [option('yes'), option('no')],
        ...(typeof value === 'boolean' ? { initial_option: option(value ? 'yes' : 'no') } : {}),
      };
    case 'choice':
      return {
        type: 'static_select',
        action_id: 'v',
        options: f.options.map(option),
        ...(str && f.options.includes(str) ? { initial_option: option(str) } : {}),
      };
    case 'choices': {
      const chosen = Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string' && f.options.includes(v))
        : [];
      return {
        type: 'multi_static_select',
        action_id: 'v',
        options: f.options.map(option),
        ...(chosen.length ? { initial_options: chosen.map(option) } : {}),
      };
    }
  }
}

/** The modal for a stored pending action (its stored payload prefills the fields it shares with the schema). */
export function editView(stored: Record<string, unknown>, origin: EditOrigin): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.edit,
    private_metadata: JSON.stringify(origin),
    title: { type: 'plain_text', text: 'Edit before saving' },
    submit: { type: 'plain_text', text: 'Review' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: fieldsOf(origin.type).map((f) => ({
      type: 'input',
      block_id: `f:${f.key}`,
      optional: f.optional,
      label: { type: 'plain_text', text: label(f.key) },
      element: element(f, stored[f.key]),
    })),
  };
}

type StateValue = {
  value?: string | null;
  selected_date?: string | null;
  selected_option?: { value?: string } | null;
  selected_options?: { value?: string }[];
};

/** The submitted form as an action, or the per-field errors Slack shows in the modal. */
export function editedAction(
  stored: Record<string, unknown>,
  origin: EditOrigin,
  values: Record<string, Record<string, StateValue>>,
): { ok: true; action: Action } | { ok: false; errors: Record<string, string> } {
  const fields = fieldsOf(origin.type);
  const shape = schemaOf(origin.type).shape;
  const draft: Record<string, unknown> = { type: origin.type };
  for (const key of Object.keys(shape)) {
    if (key !== 'type' && !fields.some((f) => f.key === key) && stored[key] !== undefined) draft[key] = stored[key];
  }
  for (const f of fields) {
    const v = values[`f:${f.key}`]?.v;
    if (!v) continue;
    if (f.kind === 'choices') {
      const chosen = (v.selected_options ?? []).map((o) => o.value).filter(Boolean);
      if (chosen.length) draft[f.key] = chosen;
      continue;
    }
    const raw =
      f.kind === 'date'
        ? v.selected_date
        : f.kind === 'choice' || f.kind === 'boolean'
          ? v.selected_option?.value
          : v.value;
    if (raw == null || raw.trim() === '') continue;
    draft[f.key] = f.kind === 'number' ? Number(raw) : f.kind === 'boolean' ? raw === 'yes' : raw;
  }
  const parsed = Action.safeParse(draft);
  if (parsed.success) return { ok: true, action: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? '');
    const block = fields.some((f) => f.key === key) ? `f:${key}` : `f:${fields[0]?.key}`;
    errors[block] ??= issue.message;
  }
  return { ok: false, errors };
}
