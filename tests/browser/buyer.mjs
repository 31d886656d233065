// Buyer ordering in a real browser (issue 21): a Japanese boutique signs up on the storefront,
// signs in with the code the page shows (no SMTP in the demo), is approved by the operator
// through the API, picks colour and size for two styles of two wholesalers, sends the order
// request, and reads the wholesalers' answers (given through the API) on /orders. Every page is
// checked at 390×844 (phone) and 1280×800 for horizontal overflow, and screenshotted.
// Started by crates/cli/tests/e2e/buyer_browser.rs, which passes:
//   DDHUB_URL               the server
//   DDHUB_OPERATOR_KEY      an operator key (ddh_o_…), to approve the buyer
//   DDHUB_WHOLESALER_KEYS   JSON {"<wholesaler id>": "ddh_w_…"} of the demo wholesalers
//   DDHUB_ARTIFACTS         where screenshots go
//   DDHUB_CHROMIUM          the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const base = process.env.DDHUB_URL;
const okey = process.env.DDHUB_OPERATOR_KEY;
const wkeys = JSON.parse(process.env.DDHUB_WHOLESALER_KEYS || '{}');
const out = process.env.DDHUB_ARTIFACTS;
assert.ok(base && okey && out && Object.keys(wkeys).length >= 2, 'DDHUB_URL, DDHUB_OPERATOR_KEY, two wholesaler keys and DDHUB_ARTIFACTS are required');
fs.mkdirSync(out, { recursive: true });

const WIDTHS = [{ width: 390, height: 844, name: 'phone' }, { width: 1280, height: 800, name: 'desktop' }];
const shots = [];

async function api(pathname, { key, method = 'GET', body } = {}) {
  const res = await fetch(base + pathname, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/// Screenshots the page at both widths, checking that nothing is wider than the screen.
async function shots2(page, name) {
  for (const v of WIDTHS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.waitForTimeout(50);
    const { scroll, inner, wide } = await page.evaluate(() => {
      const inner = window.innerWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > inner + 1 && !e.closest('.gridwrap'))
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      return { scroll: document.documentElement.scrollWidth, inner, wide };
    });
    assert.ok(scroll <= inner, `${name} at ${v.width}px: page is ${scroll}px wide (${wide.join(', ')})`);
    const file = path.join(out, `buyer-${String(shots.length + 1).padStart(2, '0')}-${name}-${v.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
    console.log(`screenshot ${file}`);
  }
}

async function step(name, fn) {
  const started = Date.now();
  await fn();
  console.log(`ok ${name} (${Date.now() - started} ms)`);
}

/// Listed styles of two different wholesalers (a few of each, in case one is sold out).
async function twoWholesalers() {
  const r = await api('/api/v1/search?locale=ja&currency=JPY&per_page=60');
  assert.equal(r.status, 200, r.text);
  const by = new Map();
  for (const h of r.json.hits) {
    const wid = String(h.wholesaler.id);
    if (!wkeys[wid]) continue;
    if (!by.has(wid)) by.set(wid, []);
    by.get(wid).push(h.style_id);
  }
  const picked = [...by.entries()].slice(0, 2).map(([wid, ids]) => ({ wid, ids }));
  assert.equal(picked.length, 2, `two wholesalers' styles in ${JSON.stringify(r.json.hits.map((h) => h.wholesaler))}`);
  return picked;
}

const browser = await chromium.launch({
  executablePath: process.env.DDHUB_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const failures = [];
let page = null;
try {
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 } });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const email = `buyer-${Date.now()}@aoyama.example`;

  await step('sign up', async () => {
    await page.goto(`${base}/account?locale=ja`);
    await page.fill('#su-business', 'Select Shop Aoyama');
    await page.fill('#su-email', email);
    await page.selectOption('#su-country', 'JP');
    await shots2(page, 'sign-up');
    await Promise.all([page.waitForNavigation(), page.click('#sign-up button[type=submit]')]);
    assert.match(await page.textContent('.demo-code'), /デモモード/, 'the shown code is labelled as demo');
  });

  await step('sign in with the code', async () => {
    const code = (await page.textContent('#demo-code')).trim();
    assert.match(code, /^\d{6}$/);
    await shots2(page, 'code');
    await page.fill('#code', code);
    await Promise.all([page.waitForURL(/\/account/), page.click('form[action="/account/sign-in"] button')]);
    assert.equal(await page.getAttribute('#buyer-state', 'data-state'), 'pending');
    await shots2(page, 'pending');
  });

  await step('the operator approves the buyer', async () => {
    const list = await api('/api/v1/buyers', { key: okey });
    assert.equal(list.status, 200, list.text);
    const me = list.json.buyers.find((b) => b.email === email);
    assert.ok(me, `pending buyers: ${list.text}`);
    const r = await api(`/api/v1/buyers/${me.id}/approve`, { key: okey, method: 'POST' });
    assert.equal(r.status, 200, r.text);
    await page.reload();
    assert.equal(await page.getAttribute('#buyer-state', 'data-state'), 'approved');
  });

  const styles = await twoWholesalers();
  for (const [i, s] of styles.entries()) {
    await step(`pick colour and size of a style of wholesaler ${s.wid}`, async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      let n = 0;
      for (const id of s.ids) {
        await page.goto(`${base}/styles/${id}?locale=ja&currency=JPY`);
        n = await page.locator('#pick-form input.q:not([disabled])').count();
        if (n > 0) break;
      }
      assert.ok(n > 0, `a style of wholesaler ${s.wid} with a SKU in stock`);
      const moq = Number((await page.textContent('#picker .note')).match(/(\d+)点/)[1]);
      const inputs = page.locator('#pick-form input.q:not([disabled])');
      // The first colour's first size gets the MOQ; the next SKU (if any) one more piece.
      await inputs.nth(0).fill(String(Math.max(moq, 1)));
      if (n > 1) await inputs.nth(1).fill('1');
      await shots2(page, `picker-${i + 1}`);
      await Promise.all([page.waitForURL(/added=1/), page.click('#add-to-cart')]);
      assert.ok(await page.isVisible('#added'), 'the page says it was added');
    });
  }

  await step('send the order request', async () => {
    await page.goto(`${base}/cart?locale=ja`);
    assert.match(await page.textContent('#no-payment'), /注文リクエスト/, 'the cart says no payment is taken');
    assert.ok(await page.locator('.cartitem').count() >= 2);
    await page.fill('#address1', '5-1-1 Minami-Aoyama, Minato-ku');
    await page.fill('#postal_code', '107-0062');
    await page.fill('#phone', '+81 3 1234 5678');
    await shots2(page, 'cart');
    await Promise.all([page.waitForURL(/\/orders/), page.click('#checkout button[type=submit]')]);
    assert.ok(await page.isVisible('#placed'));
    assert.equal(await page.locator('[data-answer=pending]').count(), await page.locator('.cartitem').count(), 'every line waits for its answer');
  });

  await step('the wholesalers answer and the buyer reads it', async () => {
    const orderId = Number(new URL(page.url()).searchParams.get('placed'));
    let answered = 0;
    for (const s of styles) {
      const key = wkeys[s.wid];
      const prs = await api('/api/v1/purchase-requests?state=open', { key });
      const pr = prs.json.find((p) => p.order_id === orderId);
      assert.ok(pr, `wholesaler ${s.wid} has a purchase request of order ${orderId}: ${prs.text}`);
      // The first wholesaler: the first line available, the rest 미송 with a date; the second: 품절.
      const lines = pr.lines.map((l, j) => (answered === 0
        ? (j === 0 ? { line_id: l.line_id, answer: 'available' } : { line_id: l.line_id, answer: 'backorder', expected_date: '2099-01-15' })
        : { line_id: l.line_id, answer: 'sold_out' }));
      const r = await api(`/api/v1/purchase-requests/${pr.id}/answer`, { key, method: 'POST', body: { lines } });
      assert.equal(r.status, 200, r.text);
      answered += 1;
    }
    await page.goto(`${base}/orders?locale=ja`);
    assert.ok(await page.locator('[data-answer=available]').count() >= 1, 'an available line');
    assert.ok(await page.locator('[data-answer=sold_out]').count() >= 1, 'a sold-out line');
    const text = await page.textContent(`#order-${orderId}`);
    assert.match(text, /在庫あり/, 'available in Japanese');
    assert.match(text, /品切れ/, 'sold out in Japanese');
    if (await page.locator('[data-answer=backorder]').count() > 0) assert.match(text, /2099\/01\/15までに発送/, 'backorder with its date, as CLDR writes it in Japanese');
    await shots2(page, 'orders-answered');
  });

  assert.deepEqual(errors, [], 'no script errors or CSP violations');
} catch (e) {
  failures.push(e);
  if (page) {
    await page.screenshot({ path: path.join(out, 'buyer-failure.png'), fullPage: true }).catch(() => {});
    console.error(`failed on ${page.url()}:\n${await page.innerText('body').catch(() => '')}`);
  }
} finally {
  await browser.close();
}
console.log(`screenshots: ${shots.length} in ${out}`);
if (failures.length) {
  console.error(failures[0]);
  process.exit(1);
}
