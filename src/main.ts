// Entry point: `node --import tsx src/main.ts <command>` (npm start = serve).
import { runCli } from './cli.js';

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`freeda: ${error.message}\n`);
    process.exitCode = 1;
  },
);
