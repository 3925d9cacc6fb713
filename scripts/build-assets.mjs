// After `tsc -p tsconfig.build.json`: copy the files the code reads beside itself at run time (pages, default bot answers,
// analytics weights) into dist/, and write dist/main.js, the production entry (`node dist/main.js serve`, no tsx).
import { cp, writeFile } from 'node:fs/promises';

const assets = ['src/http/static', 'src/pipeline/chatbot/answers.default.yaml', 'src/pipeline/analytics/model.weights.json'];
for (const path of assets) await cp(path, `dist/${path}`, { recursive: true });
await writeFile('dist/main.js', "// Production entry point (npm run build): the compiled src/main.ts.\nimport './src/main.js';\n");
console.log(`dist/: compiled sources, ${assets.length} assets, dist/main.js`);
