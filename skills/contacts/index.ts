import { defineSkill } from '../../src/core/skill.ts';
import { contactCreate } from './create.ts';
import { contactLookup } from './lookup.ts';
import { leadQualify } from './qualify-lead.ts';

export const contacts = defineSkill(import.meta.url, [contactLookup, contactCreate, leadQualify]);
