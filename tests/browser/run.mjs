// DDHub in a real browser: the buyer storefront and the wholesaler console, driven in headless
// Chromium against a running `ddhub serve` with the demo data. Started by
// crates/cli/tests/e2e/browser.rs, which passes:
//   DDHUB_URL               the server, e.g. http://127.0.0.1:40123
//   DDHUB_WHOLESALER_KEY    a demo wholesaler's key (ddh_w_…)
//   DDHUB_PARTNER_KEY       the demo partner's key (ddh_p_…), to place an order to answer
//   DDHUB_SHEET             the sample sheet with mistakes (demo/misonit-catalog-cp949.csv)
//   DDHUB_ARTIFACTS         where screenshots go (target/browser-artifacts)
//   DDHUB_CHROMIUM          the browser (default /usr/bin/chromium)
// Each step saves a screenshot; any failed check exits non-zero with the reason.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const base = process.env.DDHUB_URL;
const wkey = process.env.DDHUB_WHOLESALER_KEY;
const pkey = process.env.DDHUB_PARTNER_KEY;
const sheet = process.env.DDHUB_SHEET;
const out = process.env.DDHUB_ARTIFACTS;
assert.ok(base && wkey && pkey && sheet && out, 'DDHUB_URL, keys, DDHUB_SHEET and DDHUB_ARTIFACTS are required');
fs.mkdirSync(out, { recursive: true });

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const HANGUL = /[\uac00-\ud7a3]/;
const shots = [];

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

async function shot(page, name) {
  const file = path.join(out, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
  console.log(`screenshot ${file}`);
}

async function step(name, fn) {
  const started = Date.now();
  await fn();
  console.log(`ok ${name} (${Date.now() - started} ms)`);
}

/// Waits until the storefront's results fragment has been swapped in for `predicate(url)`.
async function resultsFor(page, predicate) {
  await page.waitForResponse((r) => r.url().includes('partial=results') && predicate(new URL(r.url())) && r.status() === 200);
  await page.waitForFunction(() => !document.getElementById('results').hasAttribute('aria-busy'));
}

const browser = await chromium.launch({
  executablePath: process.env.DDHUB_CHROMIUM || '/usr/bin/chromium',
  // Chromium's sandbox needs user namespaces, which CI containers running as root lack.
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const failures = [];
let current = null;
try {
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  current = page;
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // 1. Search in Japanese: Japanese titles and yen prices, the same as the search API's.
  let query = 'ニット';
  await step('search in Japanese', async () => {
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja', 'Accept-Language ja picks Japanese');
    assert.equal(await page.inputValue('#currency'), 'JPY', 'Japanese buyers see yen by default');
    await Promise.all([resultsFor(page, (u) => u.searchParams.get('q') === query), page.fill('#q', query)]);
    const expected = (await api(`/api/v1/search?q=${encodeURIComponent(query)}&locale=ja&currency=JPY&per_page=24`)).json;
    assert.ok(expected.total > 0, `the API finds ${query}`);
    const titles = await page.locator('.card .title').allTextContents();
    const prices = await page.locator('.card .price').allTextContents();
    assert.equal(titles.length, expected.hits.length, 'as many cards as API hits');
    assert.deepEqual(titles.map((t) => t.trim()), expected.hits.map((h) => h.title), 'titles are the API\'s Japanese titles');
    assert.ok(titles.every((t) => JAPANESE.test(t)), `titles are Japanese: ${titles.join(' | ')}`);
    prices.forEach((p, i) => {
      // CLDR's Japanese yen sign is the full-width ￥.
      assert.ok(p.startsWith('￥'), `yen price as CLDR writes it in Japanese: ${p}`);
      assert.equal(p.replace(/[￥,]/g, ''), expected.hits[i].price.amount, 'price is the API\'s yen amount');
    });
    assert.match(await page.textContent('#count'), new RegExp(`^${expected.total}\\b`));
    assert.ok(page.url().includes('q='), 'the URL follows the search (shareable)');
    await shot(page, 'search-ja');
  });

  // 2. A facet: the first colour family narrows the results to what the API says.
  await step('apply a colour facet', async () => {
    const swatch = page.locator('.facets input[name=colour]').first();
    const family = await swatch.getAttribute('value');
    await Promise.all([resultsFor(page, (u) => u.searchParams.getAll('colour').includes(family)), swatch.check()]);
    const expected = (await api(`/api/v1/search?q=${encodeURIComponent(query)}&locale=ja&currency=JPY&colour=${family}`)).json;
    const count = await page.textContent('#count');
    assert.match(count, new RegExp(`^${expected.total}\\b`), `count ${count} is the API's ${expected.total}`);
    assert.ok(await page.locator(`.facets input[name=colour][value=${family}]`).isChecked(), 'the facet stays checked');
    assert.ok(new URL(page.url()).searchParams.getAll('colour').includes(family), 'the URL keeps the facet');
    await shot(page, 'facet-colour');
  });

  // 3. A style page: translated title, yen price, size table, MOQ, responsive photos.
  await step('open a style', async () => {
    const first = page.locator('.card').first();
    const title = (await first.locator('.title').textContent()).trim();
    const price = (await first.locator('.price').textContent()).trim();
    await Promise.all([page.waitForURL(/\/styles\/\d+/), first.locator('a').click()]);
    assert.equal((await page.textContent('h1')).trim(), title, 'the style page shows the card\'s title');
    assert.equal((await page.textContent('.price.big')).trim(), price, 'and its yen price');
    assert.ok(await page.locator('table tbody tr').count() > 0, 'a size conversion table');
    const imgs = page.locator('.photos img');
    if (await imgs.count() > 0) {
      assert.ok((await imgs.first().getAttribute('srcset')).includes('w,') || (await imgs.first().getAttribute('srcset')).endsWith('w'), 'srcset from the variants');
      await page.waitForFunction(() => { const i = document.querySelector('.photos img'); return i && i.complete && i.naturalWidth > 0; });
    }
    await shot(page, 'style-ja');
  });

  // 3a. Similar styles on the style page, the same as the API's, each leading to its own page
  // (issue 20, item 6); and the wholesaler in Latin letters beside the Hangul (issue 21, item 3).
  await step('similar styles and the wholesaler as a buyer reads it', async () => {
    const id = Number(page.url().match(/\/styles\/(\d+)/)[1]);
    const expected = (await api(`/api/v1/styles/${id}/similar?locale=ja&currency=JPY`)).json;
    const cards = page.locator('section.similar .card');
    assert.equal(await cards.count(), expected.hits.length, `as many similar cards as the API's: ${JSON.stringify(expected).slice(0, 300)}`);
    if (expected.hits.length > 0) {
      const titles = (await cards.locator('.title').allTextContents()).map((t) => t.trim());
      assert.deepEqual(titles, expected.hits.map((h) => h.title), 'the API\'s similar styles, in its order');
      assert.ok(!(await cards.locator('a').first().getAttribute('href')).startsWith(`/styles/${id}?`), 'a similar style is another style');
    }
    const seller = await page.locator('.info dl').textContent();
    assert.match(seller, /[A-Z][a-z]+.*\([\uac00-\ud7a3]/, `the wholesaler in Latin letters beside the Hangul: ${seller}`);
    await shot(page, 'style-similar-ja');
  });

  // 3a'. Suggestions as the buyer types, in the buyer's language (issue 20, item 5): the
  // search box's list fills from /api/v1/search/suggest.
  await step('suggestions as the buyer types', async () => {
    await page.goto(`${base}/?locale=ja&currency=JPY`);
    const typed = 'カー';
    const api1 = (await api(`/api/v1/search/suggest?q=${encodeURIComponent(typed)}&locale=ja`)).json;
    const labels = [...new Set(api1.categories.concat(api1.colours, api1.titles).map((s) => s.label || s.title).filter(Boolean))].slice(0, 12);
    assert.ok(labels.length > 0, `the API suggests something for ${typed}: ${JSON.stringify(api1)}`);
    await page.locator('#q').pressSequentially(typed, { delay: 60 });
    await page.waitForFunction((n) => document.querySelectorAll('#suggest-list option').length === n, labels.length);
    const shown = await page.locator('#suggest-list option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(shown, labels, 'the box lists the API\'s suggestions');
    assert.ok(shown.every((l) => JAPANESE.test(l)), `suggestions in Japanese: ${shown.join(' | ')}`);
    await page.fill('#q', '');
  });

  // 3b. Phones first (issue 21, item 2): at 390×844 in every storefront language (and 360 px for
  // the header), nothing scrolls sideways, results are two a row under a sticky header, the
  // filters wait in a drawer, and the first result, its price and a style's price are above
  // the fold. At 1280×800 the filters stand open beside the results.
  await step('storefront on a phone and a desktop', async () => {
    const sideways = (p) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const v of [{ width: 390, height: 844 }, { width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      const phone = v.width < 700;
      const ctx = await browser.newContext({ viewport: v });
      const p = await ctx.newPage();
      p.on('pageerror', (e) => consoleErrors.push(String(e)));
      for (const locale of ['en', 'vi', 'th', 'ja', 'zh-CN', 'ko']) {
        const where = `${locale} at ${v.width}x${v.height}`;
        await p.goto(`${base}/?locale=${locale}&currency=${locale === 'vi' ? 'VND' : 'USD'}`);
        assert.ok(await sideways(p) <= 0, `the storefront scrolls sideways (${where})`);
        const bar = await p.locator('#search > .bar').boundingBox();
        const barOverflow = await p.evaluate(() => { const b = document.querySelector('#search > .bar'); return b.scrollWidth - b.clientWidth; });
        assert.ok(barOverflow <= 0, `the header is wider than the screen (${where})`);
        const currency = await p.locator('#currency').boundingBox();
        assert.ok(currency.x + currency.width <= v.width, `the currency menu is cut off (${where})`);
        const cards = p.locator('#results .card');
        const first = await cards.nth(0).boundingBox();
        const firstPrice = await cards.nth(0).locator('.price').boundingBox();
        assert.ok(firstPrice.y + firstPrice.height <= v.height, `the first result's price is below the fold (${where}): ${firstPrice.y}`);
        if (phone) {
          assert.ok(bar.height <= 130, `the header takes ${bar.height}px (${where})`);
          const second = await cards.nth(1).boundingBox();
          assert.ok(Math.abs(second.y - first.y) < 2 && second.x > first.x, `two results a row (${where})`);
          assert.equal(await p.locator('#filters').evaluate((d) => d.open), false, `the filters wait in a drawer (${where})`);
          assert.ok(!(await p.locator('#f-sort').isVisible()), `closed drawer hides the filters (${where})`);
        } else {
          assert.ok(await p.locator('#f-sort').isVisible(), `the filters stand open on a desktop (${where})`);
        }
        if (locale === 'en' || locale === 'th') await shot(p, `storefront-${locale}-${v.width}`);
      }
      if (phone) {
        // The drawer opens, a filter applies, and the drawer stays open for the next one.
        await p.goto(`${base}/?locale=en&currency=USD`);
        await p.click('#filters > summary');
        assert.ok(await p.locator('#f-sort').isVisible(), 'the drawer opens');
        const swatch = p.locator('.facets input[name=colour]').first();
        const family = await swatch.getAttribute('value');
        await Promise.all([resultsFor(p, (u) => u.searchParams.getAll('colour').includes(family)), swatch.check()]);
        assert.equal(await p.locator('#filters').evaluate((d) => d.open), true, 'the drawer stays open after a filter');
        assert.ok(await sideways(p) <= 0, 'no sideways scroll with the drawer open');
        if (v.width === 390) await shot(p, 'storefront-drawer-390');
        // A style opened from these results leads back to them, and switching its language
        // keeps the search (issue 21, item 3).
        const count = (await p.textContent('#count')).trim();
        await Promise.all([p.waitForURL(/\/styles\/\d+/), p.locator('#results .card a').first().click()]);
        const back = new URL(await p.getAttribute('#back', 'href'), base);
        assert.ok(back.searchParams.getAll('colour').includes(family), `back keeps the colour filter: ${back}`);
        await p.selectOption('header #locale', 'ja');
        await Promise.all([p.waitForURL(/locale=ja/), p.click('header form.prefs button')]);
        assert.ok(JAPANESE.test(await p.textContent('h1')), 'the style page switched to Japanese');
        assert.ok(new URL(p.url()).searchParams.getAll('colour').includes(family), 'the switch keeps the search');
        assert.ok(await sideways(p) <= 0, 'no sideways scroll on the switched style page');
        if (v.width === 390) await shot(p, 'style-switched-ja-390');
        await Promise.all([p.waitForURL((u) => u.pathname === '/'), p.click('#back')]);
        assert.ok(new URL(p.url()).searchParams.getAll('colour').includes(family), 'back returns to the filtered results');
        assert.equal(await p.getAttribute('html', 'lang'), 'ja', 'in the language chosen on the style page');
        const number = (t) => t.match(/\d[\d.,]*/)[0];
        assert.equal(number(await p.textContent('#count')), number(count), 'the same results');
        await p.goto(`${base}/?locale=en&currency=USD&colour=${family}`);
        // The header stays on screen while the buyer scrolls.
        await p.evaluate(() => window.scrollTo(0, 1200));
        const top = await p.locator('#search > .bar').boundingBox();
        assert.ok(top.y <= 1 && top.y >= -1, `the header sticks (${top.y})`);
      }
      // A style page: no sideways scroll, the price above the fold, the photos a carousel.
      await p.goto(`${base}/?locale=en&currency=USD`);
      await Promise.all([p.waitForURL(/\/styles\/\d+/), p.locator('#results .card a').first().click()]);
      assert.ok(await sideways(p) <= 0, `the style page scrolls sideways at ${v.width}`);
      const price = await p.locator('.price.big').boundingBox();
      assert.ok(price.y + price.height <= v.height, `the style's price is below the fold at ${v.width}: ${price.y}`);
      const photos = await p.locator('.photos').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth, n: e.querySelectorAll('img').length }));
      if (photos.n > 1) assert.ok(photos.scroll > photos.client, 'more photos wait to the side (a carousel)');
      await shot(p, `style-en-${v.width}`);
      await ctx.close();
    }
  });

  // 4. The console: Korean first; sign in with the wholesaler key.
  const cpage = await (await browser.newContext({ locale: 'ko-KR', viewport: { width: 1280, height: 900 } })).newPage();
  cpage.on('pageerror', (e) => consoleErrors.push(String(e)));
  current = cpage;
  await step('sign in to the console', async () => {
    await cpage.goto(`${base}/console`);
    assert.equal(await cpage.getAttribute('html', 'lang'), 'ko');
    await cpage.fill('#key', 'ddh_w_000000000000_' + '0'.repeat(64));
    await cpage.click('button[type=submit]');
    assert.ok(HANGUL.test(await cpage.textContent('.error')), 'a wrong key is refused in Korean');
    await cpage.fill('#key', wkey);
    await Promise.all([cpage.waitForURL(`${base}/console`), cpage.click('button[type=submit]')]);
    const cookies = await cpage.context().cookies();
    const session = cookies.find((c) => c.name === 'ddhub_console');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true, 'HttpOnly');
    assert.equal(session.sameSite, 'Lax', 'SameSite=Lax');
    // A post without the form's CSRF token is refused.
    const forged = await cpage.request.post(`${base}/console/sign-out`, { form: { csrf: 'forged' }, maxRedirects: 0 });
    assert.equal(forged.status(), 403, 'sign-out without the CSRF token is refused');
    await cpage.reload();
    assert.ok(await cpage.locator('#upload').count() === 1, 'still signed in after the forged post');
    await shot(cpage, 'console-signed-in');
  });

  // 5. Upload the sample sheet with mistakes: progress, then the row report in Korean.
  await step('upload the sample sheet and see the row errors', async () => {
    await cpage.setInputFiles('#file', sheet);
    await Promise.all([cpage.waitForURL(/\/console\/uploads\/\d+$/, { timeout: 60000 }), cpage.click('#upload button[type=submit]')]);
    const id = cpage.url().match(/uploads\/(\d+)/)[1];
    await cpage.waitForSelector('dl.counts', { timeout: 120000 });
    const expected = (await api(`/api/v1/catalog/uploads/${id}/errors?per_page=1000`, { key: wkey })).json;
    const rows = cpage.locator('#problems tbody tr');
    assert.ok(expected.total > 0, 'the sample sheet has mistakes');
    assert.equal(await rows.count(), expected.total, 'one table row per problem');
    const messages = await cpage.locator('#problems tbody tr td:nth-child(5)').allTextContents();
    assert.ok(messages.every((m) => HANGUL.test(m)), 'messages are Korean');
    const firstRow = (await rows.first().locator('td').first().textContent()).trim();
    assert.equal(Number(firstRow), expected.problems[0].row, 'Excel row numbers as the API reports them');
    const errorCount = Number((await cpage.textContent('#error-count')).trim());
    assert.equal(await cpage.locator('#problems tbody tr.err').count(), errorCount, 'the error count matches the table');
    assert.equal(await cpage.locator('[role=alert]').count(), 0, 'the upload did not fail (an empty photo input is no ZIP)');
    const xlsx = await cpage.request.get(`${base}/console/uploads/${id}/errors.xlsx`);
    assert.equal(xlsx.status(), 200);
    assert.match(xlsx.headers()['content-type'], /spreadsheetml/);
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    await shot(cpage, 'upload-report');
  });

  // 6. Edit and approve a translation.
  let approved;
  await step('approve a translation', async () => {
    await cpage.goto(`${base}/console/styles`);
    assert.ok(await cpage.locator('table.styles tbody tr').count() > 0, 'the style list');
    await shot(cpage, 'style-list');
    const link = cpage.locator('a.review[href$="/translations/ja"]').first();
    const href = await link.getAttribute('href');
    const styleId = href.match(/styles\/(\d+)/)[1];
    await Promise.all([cpage.waitForURL(/translations\/ja$/), link.click()]);
    const title = await cpage.inputValue('#f-title');
    const corrected = `${title.trim()}（確認済み）`;
    await cpage.fill('#f-title', corrected);
    await Promise.all([cpage.waitForURL(/done=saved/), cpage.click('form:has(#f-title) button[type=submit]')]);
    assert.ok(await cpage.locator('.notice').count() === 1, 'saved notice');
    await Promise.all([cpage.waitForURL(/done=approved/), cpage.click('button.primary')]);
    const t = (await api(`/api/v1/styles/${styleId}/translations/ja`, { key: wkey })).json;
    assert.equal(t.fields.title.value, corrected, 'the corrected title is stored');
    assert.equal(t.fields.title.review, 'approved', 'and approved');
    approved = { styleId, corrected };
    await shot(cpage, 'translation-approved');
  });

  // 7. Answer a purchase request: the partner orders, the wholesaler answers 미송 with a date.
  await step('answer a purchase request', async () => {
    const styles = (await api('/api/v1/styles?state=active&per_page=50', { key: wkey })).json.styles;
    let style = null;
    for (const s of styles) {
      const full = (await api(`/api/v1/styles/${s.id}`, { key: wkey })).json;
      if (full.skus.some((k) => k.stock === 'in_stock')) { style = full; break; }
    }
    assert.ok(style, 'a style in stock to order');
    const sku = style.skus.find((k) => k.stock === 'in_stock');
    const order = (unitPrice) => ({
      partner_order_id: `browser-${Date.now()}`,
      currency: 'JPY',
      lines: [{ sku_id: sku.id, quantity: Math.max(style.moq, 2), unit_price: unitPrice }],
      ship_to: { name: 'Select Shop Aoyama', country: 'JP', address_lines: ['5-1-1 Minami-Aoyama'], postal_code: '107-0062', phone: '+81 3 1234 5678' },
    });
    // The partner checks its price as partners do: a wrong price is answered with the feed's.
    let res = await api('/api/v1/orders', { key: pkey, method: 'POST', body: order('1'), headers: { 'idempotency-key': `browser-probe-${Date.now()}` } });
    if (res.status === 422) {
      const problem = JSON.stringify(res.json).match(/"expected":"([0-9.]+)"/);
      assert.ok(problem, `price check answer: ${res.text}`);
      res = await api('/api/v1/orders', { key: pkey, method: 'POST', body: order(problem[1]), headers: { 'idempotency-key': `browser-${Date.now()}` } });
    }
    assert.ok(res.status === 201 || res.status === 200, `order accepted: ${res.status} ${res.text}`);
    await cpage.goto(`${base}/console/orders`);
    const form = cpage.locator('form.answer').first();
    assert.ok(await form.count() === 1, 'an open request with answer buttons');
    const waiting = Number(await cpage.locator('header nav a[href="/console/orders"] .count').textContent());
    const open = (await api('/api/v1/purchase-requests?state=open', { key: wkey })).json.length;
    assert.equal(waiting, open, 'the menu counts the requests waiting for an answer');
    await shot(cpage, 'purchase-request-open');
    const action = await form.getAttribute('action');
    const prId = Number(action.match(/purchase-requests\/(\d+)/)[1]);
    // 미송 without a date is refused with a Korean message; with a date it is recorded.
    await Promise.all([cpage.waitForLoadState('load'), form.locator('button[value=backorder]').click()]);
    assert.ok(HANGUL.test(await cpage.textContent('.error')), 'missing date is explained in Korean');
    const date = new Date(Date.now() + 10 * 86400e3).toISOString().slice(0, 10);
    const again = cpage.locator(`form[action="${action}"]`).first();
    await again.locator('input[type=date]').fill(date);
    await Promise.all([cpage.waitForURL(`${base}/console/orders`), again.locator('button[value=backorder]').click()]);
    const prs = (await api('/api/v1/purchase-requests', { key: wkey })).json;
    const pr = prs.find((p) => p.id === prId);
    assert.ok(pr.lines.some((l) => l.state === 'backorder' && l.backorder_until === date), `the line is 미송 until ${date}: ${JSON.stringify(pr)}`);
    await shot(cpage, 'purchase-request-answered');
  });

  // 7b. The console on a phone: the style list and the purchase requests are cards, nothing
  // scrolls sideways (issue 21, item 2).
  await step('the console on a phone', async () => {
    await cpage.setViewportSize({ width: 390, height: 844 });
    for (const where of ['/console/styles', '/console/orders']) {
      await cpage.goto(`${base}${where}`);
      const over = await cpage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(over <= 0, `${where} scrolls sideways by ${over}px on a phone`);
      if (where === '/console/orders') {
        // Each request says when it came, its pieces and its total in won; colours and sizes
        // in Korean, never the vocabulary codes (issue 21, item 4).
        const total = (await cpage.locator('.pr-meta .total').first().textContent()).trim();
        assert.match(total, /^₩[\d,]+$/, `the request's total in won: ${total}`);
        // When the order came, as Koreans write it (CLDR: 2026. 12. 7. 오전 11:30).
        assert.match(await cpage.locator('.pr-meta time').first().textContent(), /^\d{4}\. \d{1,2}\. \d{1,2}\. (오전|오후) \d{1,2}:\d{2}$/);
        assert.match(await cpage.locator('.pr-meta .dest').first().textContent(), /일본/, 'where the order goes, in Korean');
        const skus = await cpage.locator('section.pr tbody tr td:nth-child(3)').allTextContents();
        assert.ok(skus.length > 0 && skus.every((s) => HANGUL.test(s) || /^[A-Z0-9~ /]+$/.test(s.trim())), `colour and size in Korean: ${skus.join(' | ')}`);
        assert.ok(skus.every((s) => !/\b(black|white|ivory|beige|navy|free)\b/.test(s)), `no vocabulary codes: ${skus.join(' | ')}`);
      }
      const table = cpage.locator('table.stack').first();
      assert.equal(await table.locator('thead').evaluate((t) => t.getBoundingClientRect().height <= 1), true, `${where}: the table is cards (its head hidden)`);
      await shot(cpage, `console-phone-${where.split('/').pop()}`);
    }
    await cpage.setViewportSize({ width: 1280, height: 900 });
  });

  // 7c. On a phone the wholesaler changes the 미송 answer: the pieces came in, but one fewer
  // than ordered. A partial confirmation and 미송 → 가능 in one answer (issue 21, item 4).
  await step('a wholesaler on a phone confirms part and turns 미송 into 가능', async () => {
    await cpage.setViewportSize({ width: 390, height: 844 });
    const prs = (await api('/api/v1/purchase-requests', { key: wkey })).json;
    const pr = prs.find((p) => p.lines.some((l) => l.state === 'backorder'));
    assert.ok(pr, `a request with a 미송 line: ${JSON.stringify(prs).slice(0, 400)}`);
    const line = pr.lines.find((l) => l.state === 'backorder');
    await cpage.goto(`${base}/console/orders#line-${line.line_id}`);
    const row = cpage.locator(`#line-${line.line_id}`);
    const change = row.locator('details.change');
    assert.equal(await change.count(), 1, 'an answered line can be changed until pickup');
    await change.locator('summary').click();
    const qty = row.locator('input[name=quantity]');
    assert.ok(await qty.isVisible(), 'the pieces box shows once opened');
    await qty.fill(String(line.quantity - 1));
    await shot(cpage, 'purchase-request-change-phone');
    const over = await cpage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 0, `the open answer form scrolls sideways by ${over}px on a phone`);
    await Promise.all([cpage.waitForURL(`${base}/console/orders`), row.locator('button[value=available]').click()]);
    const after = (await api('/api/v1/purchase-requests', { key: wkey })).json.find((p) => p.id === pr.id);
    const changed = after.lines.find((l) => l.line_id === line.line_id);
    assert.equal(changed.state, 'available', `미송 became 가능: ${JSON.stringify(changed)}`);
    assert.equal(changed.confirmed_quantity, line.quantity - 1, 'one piece fewer confirmed');
    const cell = (await cpage.locator(`#line-${line.line_id} .line-state`).textContent()).trim();
    assert.ok(cell.includes(`(${line.quantity - 1}/${line.quantity})`), `the page shows the partial confirmation: ${cell}`);
    await shot(cpage, 'purchase-request-changed-phone');
    await cpage.setViewportSize({ width: 1280, height: 900 });
  });

  // The approved title is what buyers now see.
  await step('buyers see the approved title', async () => {
    await page.goto(`${base}/styles/${approved.styleId}?locale=ja&currency=JPY`);
    assert.equal((await page.textContent('h1')).trim(), approved.corrected);
  });

  assert.deepEqual(consoleErrors, [], 'no script errors or CSP violations in the pages');
} catch (e) {
  failures.push(e);
  if (current) {
    // What the browser showed when the check failed.
    await current.screenshot({ path: path.join(out, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(`failed on ${current.url()}:\n${await current.innerText('body').catch(() => '')}`);
  }
} finally {
  await browser.close();
}
console.log(`screenshots: ${shots.length} in ${out}`);
if (failures.length) {
  console.error(failures[0]);
  process.exit(1);
}
