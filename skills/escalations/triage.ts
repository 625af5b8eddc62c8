import type { CATEGORIES, SEVERITIES } from '../../src/actions/fields.ts';

export type Severity = (typeof SEVERITIES)[number];
export type Category = (typeof CATEGORIES)[number];

const OUTAGE = /\b(outage|down|offline|unavailable|unreachable|not loading|can'?t (?:log ?in|access)|5\d\d errors?)\b/i;
const BREACH = /\b(breach(?:ed)?|leak(?:ed|s|ing)?|hacked|compromised|ransomware|exfiltrat\w*)\b/i;
const SECURITY = /\b(security|vulnerab\w*|phishing|suspicious (?:login|activity|access)|unauthori[sz]ed)\b/i;
const BILLING = /\b(bill(?:ing|ed)?|invoices?|charged?|refunds?|payments?|pricing|credit card)\b/i;
const ACCOUNT = /\b(log ?in|password|sso|account|user access|permissions?|seats?|licen[cs]es?)\b/i;
const TECHNICAL = /\b(bugs?|errors?|crash\w*|api|integration|sync|export|import|slow|timeouts?|fails?|broken)\b/i;

/** Severity from the words of a customer message: outages and breaches are urgent, other security issues high. */
export function inferSeverity(text: string): Severity {
  if (OUTAGE.test(text) || BREACH.test(text)) return 'urgent';
  if (SECURITY.test(text)) return 'high';
  return 'medium';
}

export function inferCategory(text: string): Category {
  if (BREACH.test(text) || SECURITY.test(text)) return 'security';
  if (OUTAGE.test(text)) return 'outage';
  if (BILLING.test(text)) return 'billing';
  if (TECHNICAL.test(text)) return 'technical';
  if (ACCOUNT.test(text)) return 'account';
  return 'other';
}

/** "escalate this": the summary says nothing, the message it was raised on does. */
export function isGenericSummary(summary: string): boolean {
  return /^(?:escalate\s+)?(?:this|that|it)(?:\s+message)?[.!?\s]*$/i.test(summary.trim()) || summary.trim() === '';
}

/** A one-line summary of a longer customer message. */
export function summaryFrom(text: string, max = 200): string {
  const line = text.trim().split(/\n/)[0].replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
