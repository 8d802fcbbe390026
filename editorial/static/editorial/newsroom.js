/* Shared behaviour of the newsroom pages: fetch helpers, the cutoff countdown, confirmations, saving pending
   edits before a form leaves the page, copying WeChat HTML. Plain JS, no build step; every page works without
   it (the countdown is rendered by the server, forms post normally). */
(function () {
  "use strict";

  // Django's JavaScript catalogue (newsroom:jsi18n) defines gettext(); the pages still work without it.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };
  var interpolate = typeof window.interpolate === "function"
    ? window.interpolate
    : function (fmt, obj) { return fmt.replace(/%\((\w+)\)s/g, function (_, k) { return obj[k]; }); };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* POST JSON, resolve with {status, body}; network failures resolve with status 0. */
  function postJSON(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).catch(function () {
      return { status: 0, body: { error: gettext("网络连接失败") } };
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); });
  }

  /* Things that hold unsaved edits register a flush function; forms marked data-flush wait for them. */
  var flushers = [];
  function registerFlush(fn) { flushers.push(fn); }
  function flushAll() {
    return Promise.all(flushers.map(function (fn) { return fn(); }));
  }

  /* --- countdown to the review cutoff ------------------------------------------------------------------ */

  function formatRemaining(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    if (days) parts.push(interpolate(gettext("%(n)s 天"), { n: days }, true));
    if (hours || days) parts.push(interpolate(gettext("%(n)s 小时"), { n: hours }, true));
    parts.push(interpolate(gettext("%(n)s 分"), { n: mins }, true));
    var text = parts.join(" ");
    return seconds < 0
      ? interpolate(gettext("已超时 %(t)s"), { t: text }, true)
      : interpolate(gettext("还剩 %(t)s"), { t: text }, true);
  }

  function updateCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.getAttribute("data-applies") !== "1") return;
      var target = Date.parse(el.getAttribute("datetime"));
      if (isNaN(target)) return;
      var seconds = (target - Date.now()) / 1000;
      var label = el.querySelector("[data-countdown-text]") || el;
      label.textContent = formatRemaining(seconds);
      el.classList.toggle("late", seconds < 0);
      el.classList.toggle("soon", seconds >= 0 && seconds < 2 * 3600);
    });
  }

  /* --- forms ------------------------------------------------------------------------------------------- */

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.flushed === "1") {
      // Second pass, after pending edits were saved: already confirmed, let it go.
      delete form.dataset.flushed;
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-flush") && flushers.length && !form.dataset.flushed) {
      event.preventDefault();
      var submitter = event.submitter;
      flushAll().then(function () {
        // A task later, not a microtask: while this submit event is still being dispatched the browser
        // silently ignores a new submission of the same form.
        window.setTimeout(function () {
          form.dataset.flushed = "1";
          if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
        }, 0);
      });
    }
  }, true);

  /* --- copy the WeChat HTML as rich text ------------------------------------------------------------- */

  function setCopyStatus(button, text, ok) {
    var status = document.getElementById(button.getAttribute("aria-controls"));
    if (!status) return;
    status.textContent = text;
    status.className = "copy-status " + (ok ? "muted" : "error");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-wechat]");
    if (!button) return;
    event.preventDefault();
    var url = button.getAttribute("data-url");
    if (!navigator.clipboard || typeof window.ClipboardItem !== "function") {
      setCopyStatus(button, gettext("此浏览器不支持复制富文本，请打开微信版预览后全选复制。"), false);
      return;
    }
    setCopyStatus(button, gettext("正在生成微信版……"), true);
    // The ClipboardItem gets promises so that Safari keeps the user gesture while the HTML is fetched.
    var html = fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    });
    var item = new ClipboardItem({
      "text/html": html.then(function (text) { return new Blob([text], { type: "text/html" }); }),
      "text/plain": html.then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        return new Blob([doc.body ? doc.body.innerText : text], { type: "text/plain" });
      })
    });
    navigator.clipboard.write([item]).then(function () {
      setCopyStatus(button, gettext("已复制，可直接粘贴到微信公众号编辑器。"), true);
    }).catch(function () {
      setCopyStatus(button, gettext("复制失败，请打开微信版预览后全选复制。"), false);
    });
  });

  /* --- the reader view in the review page -------------------------------------------------------------- */

  function fitFrame(frame) {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) frame.style.height = doc.documentElement.scrollHeight + 24 + "px";
    } catch (e) { /* another origin: keep the CSS height */ }
  }

  document.querySelectorAll("iframe[data-autosize]").forEach(function (frame) {
    frame.addEventListener("load", function () { fitFrame(frame); });
    fitFrame(frame);
  });

  /* Run fn(editor) once the CKEditor 5 of `textarea` exists. django-ckeditor-5's ckeditorRegisterCallback keeps
     one callback per field, and several newsroom scripts hook every editor (autosave, image import): the list is
     kept here and registered once. */
  var editorCallbacks = {};
  function onEditor(textarea, fn) {
    var existing = window.editors && window.editors[textarea.id];
    if (existing) { fn(existing); return; }
    if (typeof window.ckeditorRegisterCallback !== "function") return;
    var id = textarea.id;
    if (!editorCallbacks[id]) {
      editorCallbacks[id] = [];
      window.ckeditorRegisterCallback(id, function (editor) {
        editorCallbacks[id].forEach(function (callback) { callback(editor); });
      });
    }
    editorCallbacks[id].push(fn);
  }

  updateCountdowns();
  window.setInterval(updateCountdowns, 30000);

  window.Newsroom = {
    gettext: gettext,
    interpolate: interpolate,
    csrfToken: csrfToken,
    postJSON: postJSON,
    getJSON: getJSON,
    registerFlush: registerFlush,
    flushAll: flushAll,
    formatRemaining: formatRemaining,
    onEditor: onEditor
  };
})();
