import { Random } from './random.ts';
import * as N from './names.ts';

type Row = Record<string, unknown>;
export interface DemoData {
  /** Tables in insertion order (foreign keys first). */
  tables: [table: string, rows: Row[]][];
}

export interface DemoOptions {
  deals: number;
  seed?: number;
  /** The day the data is anchored to (YYYY-MM-DD): deals spread around it. */
  today: string;
}

const STAGES = [
  'prospecting',
  'qualification',
  'discovery',
  'proposal',
  'negotiation',
  'closed_won',
  'closed_lost',
] as const;
const OPEN_STAGES = STAGES.slice(0, 5);
const DAY = 86_400_000;

export const TEAMS = [
  { team: 'Enterprise EMEA', region: 'EMEA', tz: 'Europe/Berlin' },
  { team: 'Growth West', region: 'West', tz: 'America/Los_Angeles' },
  { team: 'Growth East', region: 'East', tz: 'America/New_York' },
  { team: 'APAC', region: 'APAC', tz: 'Asia/Singapore' },
] as const;

/** The people the demo can act as (`/as <name>` in the REPL). The first is the default. */
export const DEMO_USERS = {
  rep: 'Alex Morgan',
  manager: 'Marta Schulz',
  support: 'Omar Haddad',
  privacy_officer: 'Elena Novak',
  admin: 'Jordan Lee',
} as const;

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

export function generateDemo({ deals: dealCount, seed = 42, today }: DemoOptions): DemoData {
  const r = new Random(seed);
  const now = Date.parse(`${today}T12:00:00Z`);
  const users: Row[] = [];
  const user = (
    name: string,
    role: string,
    team: string | null,
    region: string | null,
    tz: string,
    managerId?: string,
  ) => {
    const id = r.uuid();
    const handle = name.toLowerCase().replace(/[^a-z]+/g, '.');
    users.push({
      id,
      name,
      email: `${handle}@crm-demo.test`,
      role,
      team,
      region,
      manager_id: managerId ?? null,
      slack_user_id: `U${String(users.length + 1).padStart(8, '0')}`,
      teams_aad_id: `00000000-0000-4000-8000-${String(users.length + 1).padStart(12, '0')}`,
      timezone: tz,
      active: true,
    });
    return id;
  };

  const admin = user(DEMO_USERS.admin, 'admin', null, null, 'UTC');
  user(DEMO_USERS.privacy_officer, 'privacy_officer', null, null, 'Europe/Dublin');
  const reps: { id: string; team: string; region: string }[] = [];
  const fixedReps: Record<string, string[]> = {
    'Growth West': [DEMO_USERS.rep, 'Priya Shah'],
    'Enterprise EMEA': ['Marco Rossi'],
  };
  const fixedManagers: Record<string, string> = { 'Growth West': DEMO_USERS.manager };
  for (const t of TEAMS) {
    const mgrName = fixedManagers[t.team] ?? `${r.pick(N.FIRST)} ${r.pick(N.LAST)}`;
    const mgr = user(mgrName, 'manager', t.team, t.region, t.tz, admin);
    const names = [...(fixedReps[t.team] ?? [])];
    while (names.length < 4) {
      const n = `${r.pick(N.FIRST)} ${r.pick(N.LAST)}`;
      if (!names.includes(n) && !users.some((u) => u.name === n)) names.push(n);
    }
    for (const n of names)
      reps.push({ id: user(n, 'rep', t.team, t.region, t.tz, mgr), team: t.team, region: t.region });
  }

  // Support: a manager, a team lead and agents with different skills, places and shifts.
  const supportManager = user('Sam Okafor', 'manager', 'Support', null, 'Europe/London', admin);
  const lead = user('Grace Kim', 'support', 'Support', null, 'Europe/London', supportManager);
  const agents: Row[] = [
    {
      name: DEMO_USERS.support,
      skills: ['billing', 'account'],
      location: 'EMEA',
      tz: 'Europe/London',
      start: 8,
      end: 17,
    },
    { name: 'Lena Fischer', skills: ['technical', 'outage'], location: 'EMEA', tz: 'Europe/Berlin', start: 8, end: 17 },
    {
      name: 'Diego Costa',
      skills: ['technical', 'security'],
      location: 'Americas',
      tz: 'America/New_York',
      start: 9,
      end: 18,
    },
    {
      name: 'Mei Tanaka',
      skills: ['outage', 'technical', 'billing'],
      location: 'APAC',
      tz: 'Asia/Tokyo',
      start: 9,
      end: 18,
    },
    {
      name: 'Noah Evans',
      skills: ['security', 'account', 'billing'],
      location: 'Americas',
      tz: 'America/Los_Angeles',
      start: 8,
      end: 17,
    },
  ].map((a) => ({
    user_id: user(a.name as string, 'support', 'Support', null, a.tz as string, lead),
    skills: a.skills,
    location: a.location,
    timezone: a.tz,
    shift_start: a.start,
    shift_end: a.end,
    capacity: 6,
    open_cases: 0,
  }));
  agents.push({
    user_id: lead,
    skills: ['billing', 'technical', 'outage', 'security', 'account', 'other'],
    location: 'EMEA',
    timezone: 'Europe/London',
    shift_start: 8,
    shift_end: 17,
    capacity: 3,
    open_cases: 0,
  });

  const slaPolicies: Row[] = [];
  const slaBase = { low: [1440, 10080], medium: [480, 4320], high: [120, 1440], urgent: [30, 240] } as const;
  const tierFactor = { standard: 1, premium: 0.5, enterprise: 0.25 } as const;
  for (const [sev, [fr, res]] of Object.entries(slaBase))
    for (const [tier, f] of Object.entries(tierFactor))
      slaPolicies.push({
        severity: sev,
        tier,
        first_response_minutes: Math.max(15, Math.round(fr * f)),
        resolution_minutes: Math.max(60, Math.round(res * f)),
      });

  // Accounts: the named ones first, then generated ones, each owned by a rep of a team.
  const accountCount = Math.max(N.FIXED_ACCOUNTS.length, Math.round(dealCount / 5));
  const accounts: Row[] = [];
  const accountOwner = new Map<string, (typeof reps)[number]>();
  const taken = new Set<string>();
  const repNamed = (name: string) => reps.find((x) => users.find((u) => u.id === x.id)!.name === name)!;
  const fixedOwners = [DEMO_USERS.rep, DEMO_USERS.rep, DEMO_USERS.rep, 'Priya Shah', DEMO_USERS.rep, 'Marco Rossi'];
  for (let i = 0; i < accountCount; i++) {
    const owner =
      i < N.FIXED_ACCOUNTS.length ? repNamed(fixedOwners[i] ?? (i % 2 ? 'Priya Shah' : DEMO_USERS.rep)) : r.pick(reps);
    let name: string, domain: string, industry: string, tier: string;
    if (i < N.FIXED_ACCOUNTS.length) [name, domain, industry, tier] = N.FIXED_ACCOUNTS[i];
    else {
      do
        name = `${r.pick(N.COMPANY_A)} ${r.pick(N.COMPANY_B)}${taken.size > 300 ? ` ${r.pick(N.COMPANY_C)}` : ''}${taken.size > 2400 ? ` ${i}` : ''}`;
      while (taken.has(name));
      domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`;
      industry = r.pick(N.INDUSTRIES);
      tier = r.pick(['standard', 'standard', 'premium', 'enterprise']);
    }
    taken.add(name);
    const id = r.uuid();
    accountOwner.set(id, owner);
    accounts.push({
      id,
      name,
      domain,
      industry,
      tier,
      region: owner.region,
      owner_id: owner.id,
      created_at: iso(now - r.int(200, 1500) * DAY),
    });
  }
  const accountByName = new Map(accounts.map((a) => [a.name as string, a]));

  const contacts: Row[] = [];
  const contactsOf = new Map<string, Row[]>();
  const addContact = (account: Row, name: string, title: string) => {
    const [first, last] = name.toLowerCase().split(' ');
    const c = {
      id: r.uuid(),
      account_id: account.id,
      name,
      title,
      owner_id: account.owner_id,
      email: `${first}.${last ?? 'x'}@${account.domain}`,
      phone: `+1 555 ${String(r.int(100, 999))} ${String(r.int(1000, 9999))}`,
      created_at: iso(now - r.int(30, 900) * DAY),
    };
    contacts.push(c);
    contactsOf.set(account.id as string, [...(contactsOf.get(account.id as string) ?? []), c]);
  };
  for (const [name, acc, title] of N.FIXED_CONTACTS) addContact(accountByName.get(acc)!, name, title);
  for (const a of accounts)
    for (let k = r.int(1, 3); k > 0; k--) addContact(a, `${r.pick(N.FIRST)} ${r.pick(N.LAST)}`, r.pick(N.TITLES));

  const consents: Row[] = contacts.map((c) => ({
    id: r.uuid(),
    contact_id: c.id,
    purpose: 'marketing',
    granted: r.chance(0.7),
    source: 'web form',
    updated_at: iso(now - r.int(1, 400) * DAY),
  }));

  const deals: Row[] = [];
  const history: Row[] = [];
  const activities: Row[] = [];
  const tasks: Row[] = [];
  for (let i = 0; i < dealCount; i++) {
    const account = i < accounts.length ? accounts[i] : r.pick(accounts);
    const owner = r.chance(0.85)
      ? accountOwner.get(account.id as string)!
      : r.pick(reps.filter((x) => x.team === accountOwner.get(account.id as string)!.team));
    const closeMs = now + r.int(-540, 270) * DAY;
    const past = closeMs < now - 10 * DAY;
    const stage = past
      ? r.chance(0.85)
        ? r.chance(0.4)
          ? 'closed_won'
          : 'closed_lost'
        : r.pick(OPEN_STAGES)
      : r.chance(0.06)
        ? 'closed_won'
        : r.pick(OPEN_STAGES);
    const amount = Math.round(Math.exp(r.next() * (Math.log(400_000) - Math.log(4_000)) + Math.log(4_000)) / 500) * 500;
    const createdMs = Math.min(closeMs, now) - r.int(30, 240) * DAY;
    const stageChangedMs = stage.startsWith('closed')
      ? Math.min(closeMs, now - DAY)
      : createdMs + r.next() * (now - createdMs);
    const contact = contactsOf.get(account.id as string)?.[0];
    const id = r.uuid();
    const kind = r.pick(N.DEAL_KINDS);
    const lastActivityMs = r.chance(0.8) ? Math.max(createdMs, stageChangedMs - r.int(0, 20) * DAY) : null;
    deals.push({
      id,
      name: `${account.name} ${kind}`,
      account_id: account.id,
      contact_id: contact?.id ?? null,
      owner_id: owner.id,
      stage,
      amount,
      currency: 'USD',
      close_date: day(closeMs),
      closed_at: stage.startsWith('closed') ? iso(stageChangedMs) : null,
      stage_changed_at: iso(stageChangedMs),
      last_activity_at: lastActivityMs ? iso(lastActivityMs) : null,
      created_at: iso(createdMs),
    });
    // Stage history: the path through the funnel up to the current stage.
    const path =
      stage === 'closed_lost'
        ? STAGES.slice(0, r.int(1, 5)).concat('closed_lost')
        : STAGES.slice(0, STAGES.indexOf(stage) + 1);
    for (const [k, s] of path.entries()) {
      history.push({
        deal_id: id,
        from_stage: k === 0 ? null : path[k - 1],
        to_stage: s,
        changed_by: owner.id,
        changed_at: iso(
          k === path.length - 1 ? stageChangedMs : createdMs + ((stageChangedMs - createdMs) * k) / path.length,
        ),
      });
    }
    if (lastActivityMs && contact) {
      activities.push({
        id: r.uuid(),
        kind: r.pick(['call', 'call', 'meeting', 'email', 'note']),
        summary: r.pick(N.CALL_NOTES),
        duration_minutes: r.int(1, 6) * 10,
        occurred_at: iso(lastActivityMs),
        contact_id: contact.id,
        account_id: account.id,
        deal_id: id,
        owner_id: owner.id,
        source_channel: 'demo',
      });
    }
    if (!stage.startsWith('closed') && r.chance(0.15)) {
      tasks.push({
        id: r.uuid(),
        text: `follow up with ${contact?.name ?? account.name} on ${kind}`,
        due_date: day(now + r.int(-5, 14) * DAY),
        status: 'open',
        purpose: 'sales',
        assignee_id: owner.id,
        contact_id: contact?.id ?? null,
        account_id: account.id,
        deal_id: id,
        created_by: owner.id,
        created_at: iso(now - r.int(1, 20) * DAY),
      });
    }
  }
  // Each demo rep starts the day with something on their plate.
  const demoRep = users.find((u) => u.name === DEMO_USERS.rep)!;
  const dana = contacts.find((c) => c.name === 'Dana Reyes')!;
  tasks.push({
    id: r.uuid(),
    text: 'send Dana the revised pricing',
    due_date: today,
    status: 'open',
    purpose: 'sales',
    assignee_id: demoRep.id,
    contact_id: dana.id,
    account_id: dana.account_id,
    created_by: demoRep.id,
    created_at: iso(now - 2 * DAY),
  });
  const paul = contacts.find((c) => c.name === 'Paul Smith')!;
  tasks.push({
    id: r.uuid(),
    text: 'send Paul the spring newsletter',
    due_date: day(now + 7 * DAY),
    status: 'open',
    purpose: 'marketing',
    assignee_id: demoRep.id,
    contact_id: paul.id,
    account_id: paul.account_id,
    created_by: demoRep.id,
    created_at: iso(now - 3 * DAY),
  });

  const leads: Row[] = Array.from({ length: Math.max(10, Math.round(dealCount / 50)) }, (_, i) => {
    const name = i === 0 ? 'Lee Chen' : `${r.pick(N.FIRST)} ${r.pick(N.LAST)}`;
    const company = i === 0 ? 'Vandelay' : `${r.pick(N.COMPANY_A)} ${r.pick(N.COMPANY_B)}`;
    return {
      id: r.uuid(),
      name,
      company,
      email: `${name.toLowerCase().replace(' ', '.')}@${company.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
      status: r.pick(['new', 'mql', 'mql', 'sql']),
      source: r.pick(['webinar', 'web form', 'referral', 'event']),
      owner_id: r.pick(reps).id,
      created_at: iso(now - r.int(1, 60) * DAY),
    };
  });

  // A marketing-qualified lead for the README's "Dana is sales-qualified now" (fixed id: no draw from the PRNG).
  leads.push({
    id: '00000000-0000-4000-8000-0000000da4a0',
    name: 'Dana Park',
    company: 'Initrode',
    email: 'dana.park@initrode.example',
    status: 'mql',
    source: 'webinar',
    owner_id: demoRep.id,
    created_at: iso(now - 5 * DAY),
  });

  const cases: Row[] = [];
  const caseCount = Math.max(6, Math.round(accounts.length / 20));
  for (let i = 0; i < caseCount; i++) {
    const account = i < N.FIXED_ACCOUNTS.length ? accounts[i] : r.pick(accounts);
    const [summary, category, severity] = r.pick(N.CASE_SUMMARIES);
    const agent = agents.find(
      (a) => (a.skills as string[]).includes(category) && (a.open_cases as number) < (a.capacity as number) - 1,
    );
    const createdMs = now - r.int(1, 72) * 3_600_000;
    const policy = slaPolicies.find((p) => p.severity === severity && p.tier === account.tier)!;
    if (agent) agent.open_cases = (agent.open_cases as number) + 1;
    const status = r.chance(0.5) ? 'acknowledged' : 'new';
    cases.push({
      summary,
      source_text: `${account.name}: ${summary}`,
      source_channel: 'demo',
      account_id: account.id,
      contact_id: contactsOf.get(account.id as string)?.[0]?.id ?? null,
      severity,
      category,
      status,
      // acknowledged cases were answered, mostly within their first-response objective
      first_response_at:
        status === 'acknowledged'
          ? iso(
              Math.min(now, createdMs + (policy.first_response_minutes as number) * 60_000 * (i % 5 === 0 ? 1.5 : 0.5)),
            )
          : null,
      assignee_id: agent?.user_id ?? null,
      reporter_id: accountOwner.get(account.id as string)!.id,
      first_response_due: iso(createdMs + (policy.first_response_minutes as number) * 60_000),
      resolution_due: iso(createdMs + (policy.resolution_minutes as number) * 60_000),
      created_at: iso(createdMs),
      // one billing dispute is under legal hold, so erasure's exception can be seen in the demo
      legal_hold: category === 'billing' && !cases.some((c) => c.legal_hold),
    });
  }

  return {
    tables: [
      ['users', users],
      ['sla_policies', slaPolicies],
      ['support_agents', agents],
      ['accounts', accounts],
      ['contacts', contacts],
      ['consents', consents],
      ['leads', leads],
      ['deals', deals],
      ['deal_stage_history', history],
      ['activities', activities],
      ['tasks', tasks],
      ['cases', cases],
    ],
  };
}
