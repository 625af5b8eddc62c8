import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SKILLS } from '../skills/index.ts';
import { fieldKind } from '../src/actions/fields.ts';
import { ACTION_TYPES, CANONICAL, SPECS } from '../src/actions/index.ts';
import { capabilityMatrix } from '../src/core/permissions.ts';
import { freshDb, type TestDb } from './support/db.ts';

/** The contract's action types (shared/action-contract.md, version 1 and the version 2 additions built so far). */
const CONTRACT = [
  'pipeline.query',
  'activity.log',
  'deal.update',
  'deal.create',
  'contact.lookup',
  'contact.create',
  'task.create',
  'escalation.create',
  'escalation.update',
  'data_request.create',
  'help',
  'clarify',
  // version 2
  'task.complete',
  'task.list',
  'case.show',
  'case.list',
  'case.note',
  'data_request.step',
  'account.create',
  'account.summary',
  'insight.query',
  'undo',
];

const typeOf = (s: { schema: { shape: { type: { value: string } } } }) => s.schema.shape.type.value;

describe('the skill registry is the one place an action is declared', () => {
  it('every action is in exactly one skill, once', () => {
    const types = SPECS.map(typeOf);
    expect(new Set(types).size).toBe(types.length);
    expect(ACTION_TYPES).toEqual(['clarify', ...types]);
  });

  it('every action has a channel scope, at least one role, a formatter, and examples in its skill.json', () => {
    for (const skill of SKILLS) {
      const exampleTypes = new Set(skill.examples.map((e) => e.expected.type));
      for (const spec of skill.actions) {
        const type = typeOf(spec);
        expect(['pipeline', 'logging', 'escalations', 'data_requests', 'always', 'settings'], type).toContain(
          spec.scope,
        );
        if (spec.scope === 'always') expect(['help', 'undo']).toContain(type);
        expect(spec.roles.length, type).toBeGreaterThan(0);
        expect(typeof spec.format, type).toBe('function');
        expect(exampleTypes.has(type), `skills/${skill.name}/skill.json has no example of ${type}`).toBe(true);
        if (!spec.local)
          expect(spec.nlu?.rules.length, `${type} has no intent rules for the offline parser`).toBeGreaterThan(0);
      }
    }
  });

  it("examples and missing-field questions name only the skill's own actions and their fields", () => {
    for (const skill of SKILLS) {
      const own = new Map(skill.actions.map((a) => [typeOf(a), a.schema.shape as Record<string, unknown>]));
      for (const e of skill.examples)
        if (e.expected.type !== 'clarify') expect(own.has(e.expected.type), `${skill.name}: ${e.text}`).toBe(true);
      for (const key of Object.keys(skill.missing)) {
        const field = key.split('.').at(-1)!;
        const schema = own.get(key.slice(0, key.length - field.length - 1));
        expect(schema?.[field], `skills/${skill.name}/skill.json: missing.${key}`).toBeDefined();
      }
    }
  });

  it('the contract actions are exactly the canonical ones (the LLM gets a tool for each)', () => {
    expect(CANONICAL.map((s) => s.shape.type.value).sort()).toEqual([...CONTRACT].sort());
  });

  it('a role may do only what some action grants it; every role may ask for help', () => {
    const matrix = capabilityMatrix();
    for (const [role, types] of Object.entries(matrix)) {
      expect(types.has('help'), role).toBe(true);
      for (const t of types) expect(ACTION_TYPES, `${role}: ${t}`).toContain(t);
    }
  });
});

describe('the audit log keeps in clear only what is no free text', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDb('pglite', { deals: 0 });
  });
  afterAll(() => db?.close());

  const redact = async (payload: Record<string, unknown>) =>
    (await db.query<{ r: Record<string, unknown> }>('select private.redact($1::jsonb) as r', [payload]))[0].r;

  it('every free-text field of every action is hashed by private.redact; dates and record numbers are kept', async () => {
    for (const spec of SPECS) {
      for (const [key, field] of Object.entries(spec.schema.shape as unknown as Record<string, z.ZodType>)) {
        const name = `${typeOf(spec)}.${key}`;
        // On the wire (what perform runs and audits) keys are snake_case.
        const wire = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        const kind = fieldKind(field);
        if (kind === 'free text')
          expect((await redact({ [wire]: 'called Dana about pricing' }))[wire], name).toMatch(/^sha256:/);
        if (kind === 'date')
          expect((await redact({ [wire]: '2026-01-02' }))[wire], `${name}: a date is kept for the audit`).toBe(
            '2026-01-02',
          );
        if (kind === 'record number')
          expect((await redact({ [wire]: '1005' }))[wire], `${name}: kept for the audit`).toBe('1005');
      }
    }
  });
});
