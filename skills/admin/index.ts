import { defineSkill } from '../../src/core/skill.ts';
import { auditQuery } from './audit.ts';
import { channelConfigure } from './channel.ts';

export const admin = defineSkill(import.meta.url, [channelConfigure, auditQuery]);
