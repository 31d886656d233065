// Measured sizes, size advice and the delivered price on a style page, in headless Chromium
// (issue 19). Started by crates/cli/tests/e2e/measured_browser.rs, which passes:
//   DDHUB_URL, DDHUB_WHOLESALER_KEY (a demo wholesaler), DDHUB_ARTIFACTS, DDHUB_CHROMIUM.
// A wholesaler uploads a sheet with a 실측 column through the API; the style page is then read
// by an American buyer (cm with inches) and a Japanese buyer (cm), each at 390×844 and
// 1280×800: the table, the advice and the delivered price are on the page, the table's
// figures match the sheet, and nothing scrolls sideways.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const base = process.env.DDHUB_URL;
const wkey = process.env.DDHUB_WHOLESALER_KEY;
const out = process.env.DDHUB_ARTIFACTS;
assert.ok(base && wkey && out, 'DDHUB_URL, DDHUB_WHOLESALER_KEY and DDHUB_ARTIFACTS are required');
fs.mkdirSync(out, { recursive: true });

const CODE = 'MS-7001';
const SHEET = '상품코드,상품명,카테고리,도매가,색상,사이즈,소재,실측사이즈,모델착용\n' +
  `${CODE},루즈핏 니트 가디건,니트/가디건,18000,블랙,"S,M",아크릴70 울30,"S: 어깨38 가슴단면48 총장62 / M: 어깨40 가슴단면50 총장64",모델 168cm 55 착용\n`;

async function api(pathname, init = {}) {
  const res = await fetch(base + pathname, {
    ...init,
    headers: { authorization: `Bearer ${wkey}`, 'accept-language': 'ko', ...(init.headers || {}) },
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function until(what, fn, seconds = 120) {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() - start < seconds * 1000, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// The wholesaler's upload, as the console's form sends it (multipart, field `file`).
const form = new FormData();
form.append('file', new Blob([SHEET], { type: 'text/csv' }), 'measured.csv');
const up = await api('/api/v1/catalog/uploads', { method: 'POST', body: form });
assert.equal(up.status, 202, up.text);
const report = await until('the upload', async () => {
  const r = await api(`/api/v1/catalog/uploads/${up.json.upload_id}`);
  return ['done', 'failed'].includes(r.json?.state) ? r.json : null;
});
assert.equal(report.state, 'done', JSON.stringify(report));
const styles = await api('/api/v1/styles?per_page=200');
const style = styles.json.styles.find((s) => s.style_code === CODE);
assert.ok(style, `${CODE} not listed: ${styles.text.slice(0, 500)}`);
const id = style.id;
// The listing goes live once its translations are done (the server's workers).
await until('the style page', async () => (await fetch(`${base}/styles/${id}?locale=en&currency=USD`)).status === 200);

const browser = await chromium.launch({
  executablePath: process.env.DDHUB_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const shots = [];
try {
  const buyers = [
    { name: 'en-US', locale: 'en', currency: 'USD', lang: 'en-US', heading: 'Measured sizes', chest: '48 (18.9)', landed: /delivered to/i },
    { name: 'ja', locale: 'ja', currency: 'JPY', lang: 'ja', heading: '実寸', chest: '48', landed: /日本/ },
  ];
  for (const b of buyers) {
    for (const [w, h] of [[390, 844], [1280, 800]]) {
      const context = await browser.newContext({ viewport: { width: w, height: h }, locale: b.lang, extraHTTPHeaders: { 'accept-language': b.lang } });
      const page = await context.newPage();
      const res = await page.goto(`${base}/styles/${id}?locale=${b.locale}&currency=${b.currency}`);
      assert.equal(res.status(), 200);
      const table = page.locator('table.measured');
      await table.waitFor();
      assert.ok(await table.isVisible(), `${b.name} ${w}: the measured table is not visible`);
      assert.equal(await page.locator('#measured').innerText(), b.heading);
      // The sheet's figures, size by size: S has chest (flat) 48, M has 50.
      const cells = await table.locator('td').allInnerTexts();
      assert.ok(cells.includes(b.chest), `${b.name} ${w}: no chest cell ${b.chest} in ${cells}`);
      assert.ok(cells.some((c) => c.startsWith('50')), `${b.name} ${w}: M's chest 50 missing in ${cells}`);
      const advice = await page.locator('ul.size-advice li').allInnerTexts();
      assert.ok(advice.length > 0, `${b.name} ${w}: no size advice`);
      const landed = await page.locator('p.landed').innerText();
      assert.match(landed, b.landed, `${b.name} ${w}: delivered price line: ${landed}`);
      // Nothing wider than the screen: the table scrolls inside its own box if it must.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${b.name} ${w}: the page scrolls sideways by ${overflow}px`);
      await table.scrollIntoViewIfNeeded();
      const file = path.join(out, `measured-${b.name}-${w}x${h}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
      console.log(`ok ${b.name} ${w}x${h}: ${landed}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
console.log(`screenshots:\n${shots.join('\n')}`);
