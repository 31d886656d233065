// The hub operator pages (/ops) in a real browser: sign in with the operator key, receive a
// stop's pieces with a short count, build a shipment from the received lines, add a package,
// read the quotes, ship with a tracking number and open the papers. Every step is checked
// against the JSON API and photographed on a phone (390x844) and a desktop (1280x800); a page
// wider than its viewport (sideways scrolling) fails the step. Started by
// crates/cli/tests/e2e/browser.rs (`operator_pages_in_headless_chromium`), which passes:
//   DDHUB_URL               the server
//   DDHUB_OPERATOR_KEY      an operator key (ddh_o_…, from `ddhub operator add --json`)
//   DDHUB_PARTNER_KEY       the demo partner's key, to place the order
//   DDHUB_WHOLESALER_KEYS   the demo wholesalers' keys, comma-separated, to confirm it
//   DDHUB_ARTIFACTS         where screenshots go
//   DDHUB_CHROMIUM          the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const base = process.env.DDHUB_URL;
const okey = process.env.DDHUB_OPERATOR_KEY;
const pkey = process.env.DDHUB_PARTNER_KEY;
const wkeys = (process.env.DDHUB_WHOLESALER_KEYS || '').split(',').filter(Boolean);
const out = process.env.DDHUB_ARTIFACTS;
assert.ok(base && okey && pkey && wkeys.length >= 2 && out, 'DDHUB_URL, the keys and DDHUB_ARTIFACTS are required');
fs.mkdirSync(out, { recursive: true });

const HANGUL = /[\uac00-\ud7a3]/;
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];
let shotNo = 0;

async function api(pathname, { key, method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(base + pathname, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/// The page at both sizes: no sideways scrolling on either, a screenshot of each.
async function shots(page, name) {
  const original = page.viewportSize();
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${v.width}x${v.height} scrolls sideways by ${overflow}px`);
    shotNo += 1;
    const file = path.join(out, `ops-${String(shotNo).padStart(2, '0')}-${name}-${v.width}x${v.height}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot ${file}`);
  }
  await page.setViewportSize(original);
}

async function step(name, fn) {
  const started = Date.now();
  await fn();
  console.log(`ok ${name} (${Date.now() - started} ms)`);
}

// The order: one SKU of each of two wholesalers, confirmed by both, so the pickup list has two
// stops and the shipment carries two wholesalers' goods.
const lines = [];
for (const key of wkeys.slice(0, 2)) {
  const styles = (await api('/api/v1/styles?state=active&per_page=50', { key })).json.styles;
  let line = null;
  for (const s of styles) {
    const full = (await api(`/api/v1/styles/${s.id}`, { key })).json;
    const sku = full.skus.find((k) => k.stock === 'in_stock');
    if (sku) { line = { sku_id: sku.id, quantity: Math.max(full.moq || 1, 2), unit_price: '1' }; break; }
  }
  assert.ok(line, 'each demo wholesaler has a style in stock');
  lines.push(line);
}
const order = () => ({
  partner_order_id: `PO-OPS-${Date.now()}`,
  currency: 'JPY',
  lines,
  ship_to: { name: 'Select Shop Aoyama', country: 'JP', address_lines: ['5-1-1 Minami-Aoyama', 'Minato-ku, Tokyo'], postal_code: '107-0062', phone: '+81 3 1234 5678' },
  notes: null,
});
// The partner learns its prices as partners do: a wrong price is answered with the feed's.
let placed = await api('/api/v1/orders', { key: pkey, method: 'POST', body: order(), headers: { 'idempotency-key': `ops-probe-${Date.now()}` } });
if (placed.status === 422) {
  for (const p of placed.json.error.problems || []) {
    const text = JSON.stringify(p);
    const at = text.match(/lines\D{1,3}(\d+)/);
    const expected = text.match(/"expected":"([0-9.]+)"/);
    if (at && expected) lines[Number(at[1])].unit_price = expected[1];
  }
  placed = await api('/api/v1/orders', { key: pkey, method: 'POST', body: order(), headers: { 'idempotency-key': `ops-browser-${Date.now()}` } });
}
assert.equal(placed.status, 201, `the order is placed: ${placed.text}`);
const orderId = placed.json.order_id;
for (const key of wkeys.slice(0, 2)) {
  const prs = (await api('/api/v1/purchase-requests?state=open', { key })).json;
  for (const pr of prs.filter((p) => p.order_id === orderId)) {
    const lines = pr.lines.map((l) => ({ line_id: l.line_id, answer: 'available' }));
    const r = await api(`/api/v1/purchase-requests/${pr.id}/answer`, { key, method: 'POST', body: { lines } });
    assert.equal(r.status, 200, r.text);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.DDHUB_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let page;
try {
  const context = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, acceptDownloads: true });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The refusals this scenario provokes (401, 422) are logged by Chromium as failed loads:
  // those are expected; any other console error is not.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });

  await step('sign in with the operator key', async () => {
    await page.goto(`${base}/ops`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ko', 'Korean first');
    await shots(page, 'sign-in');
    await page.fill('#key', wkeys[0]);
    await page.click('button[type=submit]');
    assert.ok(HANGUL.test(await page.textContent('.error')), 'a wholesaler key is refused in Korean');
    await page.fill('#key', okey);
    await Promise.all([page.waitForURL(`${base}/ops`), page.click('button[type=submit]')]);
    const session = (await context.cookies()).find((c) => c.name === 'ddhub_ops');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/ops');
    const forged = await page.request.post(`${base}/ops/sign-out`, { form: { csrf: 'forged' }, maxRedirects: 0 });
    assert.equal(forged.status(), 403, 'sign-out without the CSRF token is refused');
  });

  let list;
  await step('today\'s pickup list, as the API gives it', async () => {
    await page.reload();
    list = (await api('/api/v1/pickups', { key: okey })).json;
    const ours = list.stops.filter((s) => s.lines.some((l) => l.order_id === orderId));
    assert.equal(ours.length, 2, 'two stops carry the order');
    const headings = (await page.locator('section.stop h2').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(headings.length, list.stops.length, 'a section per stop');
    list.stops.forEach((s, i) => assert.ok(headings[i].includes(s.wholesaler_name), `stop ${i + 1} is ${s.wholesaler_name} (walking order): ${headings[i]}`));
    assert.ok((await page.textContent('#totals')).includes(list.amount_due_krw.toLocaleString('en-US')), 'the total due at the wholesale price');
    await shots(page, 'pickups');
  });

  await step('receive the stops, one short', async () => {
    const stops = list.stops.filter((s) => s.lines.some((l) => l.order_id === orderId));
    const a = stops[0].lines.find((l) => l.order_id === orderId);
    const b = stops[1].lines.find((l) => l.order_id === orderId);
    // Too many pieces: refused on the page, nothing recorded.
    await page.fill(`#got-${a.line_id}`, String(a.quantity + 1));
    await page.evaluate((id) => document.getElementById(`got-${id}`).removeAttribute('max'), a.line_id);
    await page.locator(`section.stop:has(#got-${a.line_id}) button[type=submit]`).click();
    await page.waitForSelector('.error');
    assert.equal((await api('/api/v1/pickups', { key: okey })).json.pieces, list.pieces, 'a refused receipt recorded nothing');
    await shots(page, 'receive-refused');
    await page.goto(`${base}/ops`);
    await Promise.all([page.waitForURL(/done=received/), page.locator(`section.stop:has(#got-${a.line_id}) button[type=submit]`).click()]);
    await page.fill(`#got-${b.line_id}`, String(b.quantity - 1));
    await Promise.all([page.waitForURL(/done=received/), page.locator(`section.stop:has(#got-${b.line_id}) button[type=submit]`).click()]);
    assert.ok(await page.locator('.notice').count() === 1, 'received notice');
    const changes = (await api('/api/v1/orders/changes?limit=500', { key: pkey })).json.events;
    const short = changes.find((e) => e.type === 'order.line.sold_out' && e.data.line_id === b.line_id);
    assert.ok(short, 'the partner hears the short count');
    assert.equal(short.data.confirmed_quantity, b.quantity - 1);
    await shots(page, 'received');
  });

  let shipmentUrl;
  await step('build a shipment from the received lines', async () => {
    await page.goto(`${base}/ops/shipments`);
    const group = page.locator('section.group', { hasText: 'Select Shop Aoyama' }).first();
    assert.ok(await group.count() === 1, 'the consignee\'s received lines');
    await shots(page, 'build');
    await Promise.all([page.waitForURL(/\/ops\/shipments\/\d+$/), group.locator('button[type=submit]').click()]);
    shipmentUrl = page.url();
  });
  const shipmentId = Number(shipmentUrl.match(/(\d+)$/)[1]);

  await step('add a package and read the quotes', async () => {
    await page.fill('#weight_grams', '0');
    await page.evaluate(() => document.getElementById('weight_grams').removeAttribute('min'));
    for (const [id, v] of [['length_cm', '30'], ['width_cm', '25'], ['height_cm', '10']]) await page.fill(`#${id}`, v);
    await page.click('form.package button[type=submit]');
    await page.waitForSelector('.error');
    assert.equal((await api(`/api/v1/shipments/${shipmentId}`, { key: okey })).json.packages.length, 0, 'zero weight is refused');
    await page.fill('#weight_grams', '1600');
    for (const [id, v] of [['length_cm', '30'], ['width_cm', '25'], ['height_cm', '10']]) await page.fill(`#${id}`, v);
    await Promise.all([page.waitForURL(/done=package/), page.click('form.package button[type=submit]')]);
    const quotes = (await api(`/api/v1/shipments/${shipmentId}/quote`, { key: okey })).json;
    for (const q of quotes) {
      const row = page.locator(`tr[data-service="${q.service}"]`);
      assert.equal(await row.count(), 1, `a row for ${q.service}`);
      const text = await row.textContent();
      if (q.total_krw !== undefined) assert.ok(text.includes(`₩${q.total_krw.toLocaleString('en-US')}`), `${q.service} at the API's price: ${text}`);
      else assert.ok(text.includes(q.refusals[0].reason), `${q.service} refused with the API's reason: ${text}`);
    }
    await shots(page, 'quotes');
  });

  await step('ship by K-Packet with a tracking number', async () => {
    await page.selectOption('#service', 'kpacket');
    await page.fill('#tracking-1', 'LK123456789KR');
    await Promise.all([page.waitForURL(/done=shipped/), page.click('form.ship button[type=submit]')]);
    const s = (await api(`/api/v1/shipments/${shipmentId}`, { key: pkey })).json;
    assert.equal(s.state, 'shipped', 'the partner sees it shipped');
    assert.equal(s.packages[0].tracking_number, 'LK123456789KR');
    const events = (await api('/api/v1/orders/changes?limit=500', { key: pkey })).json.events;
    assert.ok(events.some((e) => e.type === 'order.shipped' && e.order_id === orderId), 'order.shipped reached the partner');
    await shots(page, 'shipped');
  });

  await step('open the papers', async () => {
    const labels = await page.request.get(`${base}/ops/shipments/${shipmentId}/labels.pdf`);
    assert.equal(labels.status(), 200);
    assert.equal((await labels.body()).subarray(0, 4).toString(), '%PDF');
    fs.writeFileSync(path.join(out, 'ops-labels.pdf'), await labels.body());
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#declaration-xlsx')]);
    const file = path.join(out, 'ops-declaration.xlsx');
    await download.saveAs(file);
    assert.equal(fs.readFileSync(file).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    const pickupPdf = await page.request.get(`${base}/ops/pickups.pdf`);
    if (pickupPdf.status() === 200) fs.writeFileSync(path.join(out, 'ops-pickups.pdf'), await pickupPdf.body());
  });

  await step('English on request', async () => {
    await page.goto(`${base}/ops?lang=en`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.textContent('h1')).includes('Pickup list'));
    await page.goto(`${base}/ops/shipments/${shipmentId}`);
    await shots(page, 'shipment-en');
    await page.goto(`${base}/ops?lang=ko`);
  });
  assert.deepEqual(errors, [], 'no script errors');
} catch (e) {
  if (page) await page.screenshot({ path: path.join(out, 'ops-failure.png'), fullPage: true }).catch(() => {});
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
