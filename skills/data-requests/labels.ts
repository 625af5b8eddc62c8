import type { DataRequest } from '../../src/db/rpc.ts';
import { humanize } from '../../src/format/labels.ts';

/** How a data request is named in answers: its kind, law, subject and time left. */
const LAW = { gdpr: 'GDPR', ccpa: 'CCPA' } as const;

export const kindLabel = humanize;
export const lawLabel = (law: string) => LAW[law as keyof typeof LAW] ?? law;
export const who = (r: DataRequest) => (r.contact ? `${r.contact}${r.account ? ` (${r.account})` : ''}` : r.subject);
export const daysLeft = (n: number) =>
  n < 0 ? `overdue by ${-n} day${n === -1 ? '' : 's'}` : `${n} day${n === 1 ? '' : 's'} left`;
