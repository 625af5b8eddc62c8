/**
 * `npm run lint` after Biome: no source line longer than 120 characters. Biome wraps code, but leaves long
 * strings, regular expressions and comments as they are; data files (JSON, JSON Lines, SQL) are not checked.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
const long = files.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > MAX ? [`${file}:${i + 1} (${line.length})`] : [])),
);
if (long.length) {
  process.stderr.write(`${long.length} lines over ${MAX} characters:\n${long.join('\n')}\n`);
  process.exit(1);
}
