/** What each skill is benchmarked with: one message as its user would type it, and who types it. */
export interface Scenario {
  skill: string;
  user: string;
  text: string;
  /** Answer `yes` to the confirmation and time that step too. */
  confirm?: boolean;
  /** A grouped answer: timed without and with its chart image. */
  chart?: boolean;
}

export const SCENARIOS: Scenario[] = [
  { skill: 'pipeline (my list)', user: 'Alex Morgan', text: "what's my pipeline this quarter" },
  {
    skill: 'pipeline (team total by stage)',
    user: 'Marta Schulz',
    text: 'pipeline by stage for my team this quarter',
    chart: true,
  },
  {
    skill: 'pipeline (team forecast by month)',
    user: 'Marta Schulz',
    text: 'forecast by month for my team this quarter',
    chart: true,
  },
  { skill: 'pipeline (win rate)', user: 'Marta Schulz', text: 'what is our win rate this year' },
  { skill: 'pipeline (stuck deals)', user: 'Marta Schulz', text: 'which deals are stuck for more than 45 days' },
  { skill: 'contact 360', user: 'Alex Morgan', text: 'who is Dana Reyes' },
  { skill: 'tasks (my plate)', user: 'Alex Morgan', text: "what's on my plate today" },
  {
    skill: 'log a call (+ confirm)',
    user: 'Alex Morgan',
    text: 'log a 20 min call with Dana Reyes at Acme, she wants pricing by Friday',
    confirm: true,
  },
  {
    skill: 'escalation (+ confirm)',
    user: 'Alex Morgan',
    text: 'escalate: Acme says checkout is down for all their users',
    confirm: true,
  },
  { skill: 'data request (+ confirm)', user: 'Alex Morgan', text: 'Jane Doe wants to be forgotten', confirm: true },
];
