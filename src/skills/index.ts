import type { Skill } from '../core/types.ts';
import { help } from './help.ts';

/** Every skill the core can run, one module each. */
export const SKILLS: Skill[] = [help] as Skill[];
