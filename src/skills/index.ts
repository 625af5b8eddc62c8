import type { Skill } from '../core/types.ts';
import { audit } from './audit.ts';
import { channels } from './channels.ts';
import { help } from './help.ts';

/** Every skill the core can run, one module each. */
export const SKILLS: Skill[] = [help, audit, channels] as Skill[];
