// Storefront enhancement: results follow the search box and the filters as the buyer types,
// fetched as the same server-rendered fragment (`partial=results`). Without this file the form
// submits as a normal GET and everything still works.
(function () {
  'use strict';
  var form = document.getElementById('search');
  var results = document.getElementById('results');
  if (!form || !results || !window.fetch || !window.URLSearchParams) return;
  var timer = 0;
  var pending = null;

  function query(extra) {
    var params = new URLSearchParams(new FormData(form));
    // Empty fields only lengthen the URL.
    Array.from(params.keys()).forEach(function (k) {
      if (params.getAll(k).every(function (v) { return v === ''; })) params.delete(k);
    });
    if (extra) extra.forEach(function (kv) { params.set(kv[0], kv[1]); });
    return params;
  }

  // The filters are a drawer on phones and always open beside the results on wider screens
  // (the CSS shows them there even before this runs).
  var wide = window.matchMedia ? window.matchMedia('(min-width: 701px)') : null;
  function syncDrawer(keepOpen) {
    var d = document.getElementById('filters');
    if (d) d.open = keepOpen || (wide ? wide.matches : true);
  }
  syncDrawer(false);
  if (wide && wide.addEventListener) wide.addEventListener('change', function () { syncDrawer(false); });

  function load(params) {
    if (pending) pending.abort();
    pending = new AbortController();
    var shown = params.toString();
    params.set('partial', 'results');
    results.setAttribute('aria-busy', 'true');
    fetch('/?' + params.toString(), { signal: pending.signal, headers: { Accept: 'text/html' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        // A filter drawer the buyer opened (phones) stays open across the swap.
        var drawer = document.getElementById('filters');
        var open = drawer && drawer.open;
        results.innerHTML = html;
        if (open) syncDrawer(true);
        results.removeAttribute('aria-busy');
        history.replaceState(null, '', '/?' + shown);
      })
      .catch(function (e) { if (e.name !== 'AbortError') results.removeAttribute('aria-busy'); });
  }

  // Completions for the search box (categories, colours, titles in the buyer's language),
  // shown by the browser's own list for the input (a datalist: no library needed).
  var box = document.getElementById('q');
  var list = document.getElementById('suggest-list');
  var suggestTimer = 0;
  var suggestPending = null;
  function suggest() {
    var typed = box.value.trim();
    if (!typed) { list.textContent = ''; return; }
    if (suggestPending) suggestPending.abort();
    suggestPending = new AbortController();
    var params = new URLSearchParams({ q: typed, locale: box.getAttribute('data-locale') || '' });
    fetch('/api/v1/search/suggest?' + params.toString(), { signal: suggestPending.signal })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) {
        var seen = {};
        var labels = [];
        v.categories.concat(v.colours, v.titles).forEach(function (s) {
          var label = s.label || s.title;
          if (label && !seen[label]) { seen[label] = true; labels.push(label); }
        });
        list.textContent = '';
        labels.slice(0, 12).forEach(function (label) {
          var o = document.createElement('option');
          o.value = label;
          list.appendChild(o);
        });
      })
      .catch(function () {});
  }

  form.addEventListener('input', function (e) {
    if (e.target === box && list) {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(suggest, 120);
    }
    if (e.target.hasAttribute('data-reload')) return;
    clearTimeout(timer);
    // Text waits for a pause in typing; checkboxes and selects answer at once.
    var wait = e.target.type === 'search' || e.target.inputMode === 'decimal' ? 250 : 0;
    timer = setTimeout(function () { load(query()); }, wait);
  });
  form.addEventListener('change', function (e) {
    // Language and currency change the whole page (labels, prices): a full load.
    if (e.target.hasAttribute('data-reload')) form.submit();
  });
  // form.submit() (language, currency) does not come through here.
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    load(query());
  });
  results.addEventListener('click', function (e) {
    var a = e.target.closest('.paging a');
    if (!a) return;
    e.preventDefault();
    var url = new URL(a.href);
    load(url.searchParams);
    results.scrollIntoView();
  });
})();
