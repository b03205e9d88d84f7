/**
 * `npm run --silent hash-password`: reads a password from standard input (or asks twice, without echo,
 * on a terminal) and prints only its hash, for `auth.users[].passwordHash`.
 */
import { createInterface } from 'node:readline';
import { hashPassword } from '../auth/password-hash.js';

async function readLine(prompt?: string): Promise<string> {
  if (process.stdin.isTTY && prompt) {
    process.stderr.write(prompt);
    process.stdin.setRawMode(true);
    return new Promise((resolve) => {
      let s = '';
      const onData = (b: Buffer) => {
        for (const ch of b.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            process.stdin.setRawMode(false);
            process.stdin.off('data', onData);
            process.stdin.pause();
            process.stderr.write('\n');
            return resolve(s);
          }
          if (ch === '\u0003') process.exit(130);
          s = ch === '\u007f' ? s.slice(0, -1) : s + ch;
        }
      };
      process.stdin.on('data', onData);
    });
  }
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

const pw = await readLine('Password: ');
if (process.stdin.isTTY && (await readLine('Again: ')) !== pw) {
  process.stderr.write('passwords differ\n');
  process.exit(2);
}
if (!pw) {
  process.stderr.write('empty password\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(pw)}\n`);
