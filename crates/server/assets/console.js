// Console enhancement: the upload form shows the bytes being sent, and an upload's page follows
// its job by polling its status until it is done. Without this file the form posts normally and
// the page refreshes itself (<noscript> meta refresh).
(function () {
  'use strict';
  var form = document.getElementById('upload');
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var box = document.getElementById('transfer');
      var bar = document.getElementById('transfer-bar');
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (p) {
        if (p.lengthComputable) bar.value = Math.round((p.loaded / p.total) * 100);
      });
      xhr.addEventListener('load', function () {
        // The server answers with a redirect to the upload's page (or an error page).
        if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener('error', function () { form.submit(); });
      xhr.send(new FormData(form));
      Array.from(form.querySelectorAll('button')).forEach(function (b) { b.disabled = true; });
    });
  }

  var status = document.getElementById('status');
  if (status && status.getAttribute('data-done') === '0' && window.fetch) {
    var bar = document.getElementById('bar');
    var poll = function () {
      fetch(status.getAttribute('data-status-url'), { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.value = s.progress;
          if (s.done) { window.location.reload(); return; }
          setTimeout(poll, 700);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
})();
