import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { zipSync } from 'fflate';

/**
 * Builds the uploadable Teams app package: manifest.json (with the bot's app id from
 * MICROSOFT_APP_ID when set) and the two icons, rendered from the SVGs below. The zip is
 * byte-for-byte reproducible (fixed timestamps, fixed order).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_PATH = join(ROOT, 'out', 'crm-assistant-teams.zip');
const FIXED_TIME = new Date('2026-11-01T00:00:00Z');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A chat bubble holding a rising bar chart: the assistant answers CRM questions in chat.
const BUBBLE = 'M6 6h20a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H14l-6 5v-5H6a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z';
const BARS =
  '<rect x="9" y="14" width="3" height="5"/><rect x="14.5" y="11" width="3" height="8"/><rect x="20" y="9" width="3" height="10"/>';

/** Full colour, 192x192: the accent colour behind a white bubble. */
export const COLOR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 32 32">
<rect width="32" height="32" fill="#1F6FEB"/>
<path d="${BUBBLE}" fill="#FFFFFF"/><g fill="#1F6FEB">${BARS}</g></svg>`;

/** Outline, 32x32: white on transparent, as Teams requires. */
export const OUTLINE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<path d="${BUBBLE}" fill="none" stroke="#FFFFFF" stroke-width="1.6" stroke-linejoin="round"/><g fill="#FFFFFF">${BARS}</g></svg>`;

export const renderPng = (svg: string): Uint8Array =>
  new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng();

/** The manifest as it goes into the package: the placeholder bot id replaced by the real one. */
export function packagedManifest(
  manifest: Record<string, unknown>,
  appId = process.env.MICROSOFT_APP_ID,
): Record<string, unknown> {
  if (!appId) return manifest;
  if (!GUID.test(appId)) throw new Error(`MICROSOFT_APP_ID must be the bot's Entra app id (a GUID), got "${appId}"`);
  const withId = <T extends object>(items: T[] | undefined) => items?.map((item) => ({ ...item, botId: appId }));
  return {
    ...manifest,
    bots: withId(manifest.bots as object[]),
    composeExtensions: withId(manifest.composeExtensions as object[]),
  };
}

export const renderIcons = () => ({ 'color.png': renderPng(COLOR_SVG), 'outline.png': renderPng(OUTLINE_SVG) });

export function buildTeamsPackage(appId = process.env.MICROSOFT_APP_ID): Uint8Array {
  const icons = renderIcons();
  const manifest = packagedManifest(JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')), appId);
  const entry = (data: Uint8Array) => [data, { mtime: FIXED_TIME }] as [Uint8Array, { mtime: Date }];
  return zipSync({
    'manifest.json': entry(new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`)),
    'color.png': entry(icons['color.png']),
    'outline.png': entry(icons['outline.png']),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The icons are also kept in teams/ so the repository shows what the package holds.
  for (const [name, png] of Object.entries(renderIcons())) writeFileSync(join(ROOT, 'teams', name), png);
  const zip = buildTeamsPackage();
  mkdirSync(dirname(PACKAGE_PATH), { recursive: true });
  writeFileSync(PACKAGE_PATH, zip);
  process.stdout.write(`wrote ${PACKAGE_PATH} (${zip.byteLength} bytes)\n`);
}
