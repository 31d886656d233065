import { chromium } from 'playwright-core';
const [base, key, out, ...paths] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [w, h] of [[390, 844], [1280, 800]]) {
  const ctx = await b.newContext({ viewport: { width: w, height: h } });
  const p = await ctx.newPage();
  await p.goto(`${base}/console`);
  await p.fill('input[name=key]', key);
  await Promise.all([p.waitForURL(`${base}/console`), p.click('form button[type=submit]')]);
  for (const path of paths) {
    await p.goto(`${base}${path}`);
    const name = path.replace(/[^a-z0-9]+/gi, '_');
    await p.screenshot({ path: `${out}/${name}-${w}.png` });
    console.log(`${out}/${name}-${w}.png`);
  }
  await ctx.close();
}
await b.close();
