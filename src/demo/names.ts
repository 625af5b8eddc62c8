// Word lists for the demo data. The named companies and people are the ones the README's examples use.
export const FIXED_ACCOUNTS = [
  ['Acme', 'acme.com', 'Manufacturing', 'enterprise'],
  ['Globex', 'globex.com', 'Energy', 'premium'],
  ['Initech', 'initech.com', 'Software', 'standard'],
  ['Hooli', 'hooli.com', 'Internet', 'enterprise'],
  ['Umbrella Corp', 'umbrella.io', 'Pharma', 'premium'],
  ['Stark Industries', 'stark.com', 'Aerospace', 'enterprise'],
  ['Wayne Enterprises', 'wayne.com', 'Conglomerate', 'enterprise'],
  ['Soylent', 'soylent.com', 'Food', 'standard'],
  ['Pied Piper', 'piedpiper.com', 'Software', 'standard'],
  ['Vandelay', 'vandelay.com', 'Import/Export', 'standard'],
  ['Cyberdyne', 'cyberdyne.com', 'Robotics', 'premium'],
  ['Acme Logistics', 'acmelogistics.com', 'Logistics', 'standard'],
] as const;

export const FIXED_CONTACTS = [
  ['Dana Reyes', 'Acme', 'VP Procurement'],
  ['Tom Becker', 'Globex', 'Head of IT'],
  ['Dana Whitfield', 'Acme Logistics', 'Operations Director'],
  ['Sara Kim', 'Umbrella Corp', 'Legal Counsel'],
  ['Maria Lopez', 'Initech', 'CTO'],
  ['Ken Watanabe', 'Stark Industries', 'Engineering Manager'],
  ['Bob Grant', 'Wayne Enterprises', 'CFO'],
  ['Jane Doe', 'Hooli', 'Product Lead'],
  ['Paul Smith', 'Soylent', 'Marketing Manager'],
] as const;

export const COMPANY_A = ['Blue', 'North', 'Silver', 'Bright', 'Summit', 'Iron', 'Cedar', 'Harbor', 'Nova', 'Apex',
  'Granite', 'Evergreen', 'Crystal', 'Red', 'Golden', 'Atlas', 'Pioneer', 'Quantum', 'Vertex', 'Orbit'];
export const COMPANY_B = ['Ridge', 'Wave', 'Peak', 'Stone', 'River', 'Field', 'Point', 'Bridge', 'Forge', 'Lake',
  'Works', 'Labs', 'Systems', 'Dynamics', 'Networks', 'Foods', 'Health', 'Capital', 'Logic', 'Motors'];
export const COMPANY_C = ['Inc', 'Ltd', 'GmbH', 'Group', 'Co', 'SA', 'LLC', 'Partners'];
export const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Healthcare', 'Manufacturing', 'Logistics', 'Media', 'Education'];
export const FIRST = ['Alex', 'Sam', 'Chris', 'Jordan', 'Taylor', 'Morgan', 'Jamie', 'Casey', 'Riley', 'Avery', 'Noah',
  'Emma', 'Liam', 'Olivia', 'Mia', 'Lucas', 'Sofia', 'Mateo', 'Aisha', 'Yuki', 'Ravi', 'Chen', 'Fatima', 'Lars', 'Ines'];
export const LAST = ['Walker', 'Nguyen', 'Schmidt', 'Rossi', 'Okafor', 'Tanaka', 'Silva', 'Kowalski', 'Haddad', 'Larsen',
  'Dubois', 'Fischer', 'Moreno', 'Patel', 'Khan', 'Evans', 'Murphy', 'Novak', 'Costa', 'Berg'];
export const TITLES = ['CEO', 'CTO', 'CFO', 'VP Sales', 'Head of IT', 'Procurement Manager', 'Operations Lead', 'Director of Finance'];
export const DEAL_KINDS = ['renewal', 'expansion', 'new business', 'pilot', 'upsell', 'platform'];
export const CALL_NOTES = ['discussed pricing', 'demo went well', 'asked for a security review', 'budget approved for next quarter',
  'evaluating competitors', 'wants a reference customer', 'legal is reviewing the contract', 'left voicemail',
  'agreed on next steps', 'needs sign-off from the CFO'];
export const CASE_SUMMARIES: [string, 'billing' | 'technical' | 'outage' | 'security' | 'account', 'low' | 'medium' | 'high' | 'urgent'][] = [
  ['double charged on the last invoice', 'billing', 'medium'],
  ['API returns 500 errors on export', 'technical', 'high'],
  ['dashboard is down for all users', 'outage', 'urgent'],
  ['suspicious login attempts reported', 'security', 'high'],
  ['wants to change the billing contact', 'account', 'low'],
  ['SSO configuration fails', 'technical', 'medium'],
];
