/* Images in the issue editor: nothing points outside, nothing is lost, errors are shown in the page.

   (a) An image pasted (or set by setData) with an outside http(s) address is imported by the server
       (newsroom:image_import: a worker fetches it under xinzhi/safe_fetch.py's rules and stores it like an
       upload); its src is then replaced by our copy, or, when the import fails, the image is removed and the
       message names it. Which addresses are ours comes from the server (data-own-images: the bases of
       editorial.cleaning.media_base_urls, the rule the sanitizer keeps images by). Until every import of a form
       has settled, its autosave waits (Newsroom.importsPending, asked by editor.js), so no save carries an
       outside address that the server would drop.
   (b) Every CKEditor gets a message area (role="status", aria-live="polite") below it. CKEditor's Notification
       plugin would show upload errors with window.alert(); its warnings are taken here instead
       (https://ckeditor.com/docs/ckeditor5/latest/api/module_ui_notification_notification-Notification.html).
   (c) An upload never replaces what is selected: CKEditor inserts an uploaded image in place of a selected
       image or table, and a refused upload then removes its placeholder, losing the selected one. Before
       'uploadImage' runs, the selection moves to a new empty paragraph after the selected object; the upload
       takes that paragraph's place, and a refused upload leaves the document as it was.

   (d) A data: image CKEditor does not upload (an SVG, one that is not base64, one set by setData) is removed with
       a warning, as the server would drop it silently.

   Per editor through Newsroom.onEditor. */
(function () {
  "use strict";

  var N = window.Newsroom;
  var gettext = N.gettext;
  var interpolate = N.interpolate;
  var script = document.currentScript;
  var IMPORT_URL = script ? script.getAttribute("data-import-url") : null;
  var OWN_BASES = ((script && script.getAttribute("data-own-images")) || "").split(/\s+/).filter(Boolean);
  var IMAGE_ELEMENTS = ["imageBlock", "imageInline"];
  var MAX_MESSAGES = 5;
  var SHOWN_URL = 80;

  /* --- which addresses are ours ---------------------------------------------------------------------------- */

  function climbs(path) {
    var decoded = path;
    try { decoded = decodeURIComponent(path); } catch (error) { return true; }
    return decoded.split("/").indexOf("..") !== -1 || decoded.indexOf("\\") !== -1;
  }

  /* editorial.cleaning.is_own_media_url: under one of the storage's bases, scheme and host compared without
     case, never climbing out with "..". */
  function isOwn(src) {
    if (!src || src !== src.trim()) return false;
    for (var i = 0; i < OWN_BASES.length; i++) {
      var base = OWN_BASES[i];
      var absolute = /^[a-z][a-z0-9+.-]*:/i.test(base);
      var head = absolute ? src.slice(0, base.length).toLowerCase() === base.toLowerCase() : src.indexOf(base) === 0;
      if (head && src.length > base.length && !climbs(src.slice(base.length).split(/[?#]/)[0])) return true;
    }
    return false;
  }

  /* An address of this very page's origin under a path base (an image copied from our own page arrives
     absolute): the same file as the base path plus the rest. */
  function ownPath(src) {
    var url;
    try { url = new URL(src, window.location.href); } catch (error) { return null; }
    if (url.origin !== window.location.origin) return null;
    var path = url.pathname + url.search;
    return isOwn(path) ? path : null;
  }

  /* The media type a data: address declares ("image/svg+xml", at most 40 characters), or "data:" when it
     declares none. */
  function dataType(src) {
    var match = /^data:([^;,]*)/i.exec(src);
    return (match && match[1].trim().toLowerCase().slice(0, 40)) || "data:";
  }

  function shown(url) {
    return url.length <= SHOWN_URL ? url : url.slice(0, SHOWN_URL - 1) + "…";
  }

  /* --- the message area ---------------------------------------------------------------------------------- */

  function messageArea(editor) {
    if (editor.xinzhiMessages) return editor.xinzhiMessages;
    var area = document.createElement("div");
    area.className = "editor-messages";
    area.setAttribute("role", "status");
    area.setAttribute("aria-live", "polite");
    area.setAttribute("data-test", "editor-messages");
    var anchor = editor.ui.element || editor.sourceElement;
    anchor.parentNode.insertBefore(area, anchor.nextSibling);
    editor.xinzhiMessages = area;
    return area;
  }

  /* A line in the editor's message area; `kind` "error" (stays until closed) or "info" (the caller removes it). */
  function showMessage(editor, text, kind) {
    var area = messageArea(editor);
    var line = document.createElement("p");
    line.className = "editor-message " + (kind || "error");
    line.setAttribute("data-test", "editor-message");
    var body = document.createElement("span");
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "editor-message-close";
    close.textContent = "×";
    close.setAttribute("aria-label", gettext("关闭提示"));
    close.addEventListener("click", function () { line.remove(); });
    line.appendChild(body);
    line.appendChild(close);
    area.appendChild(line);
    while (area.children.length > MAX_MESSAGES) area.removeChild(area.firstChild);
    return line;
  }

  /* CKEditor's warnings (a refused upload: the server's message) go to the message area, not to alert(). */
  function takeNotifications(editor) {
    if (!editor.plugins.has("Notification")) return;
    editor.plugins.get("Notification").on("show:warning", function (evt, data) {
      var message = data.message && data.message.message ? data.message.message : String(data.message || "");
      showMessage(editor, data.title ? interpolate(gettext("%(title)s：%(message)s"), { title: data.title, message: message }, true) : message);
      evt.stop();
    }, { priority: "high" });
  }

  /* --- uploads never replace the selection --------------------------------------------------------------- */

  function uploadBesideSelection(editor) {
    var command = editor.commands.get("uploadImage");
    if (!command) return;
    var model = editor.model;
    command.on("execute", function () {
      var selected = model.document.selection.getSelectedElement();
      if (!selected || !model.schema.isObject(selected) || model.schema.isInline(selected)) return;
      model.change(function (writer) {
        var paragraph = writer.createElement("paragraph");
        writer.insert(paragraph, selected, "after");
        writer.setSelection(paragraph, 0);
      });
    }, { priority: "high" });
  }

  /* --- importing outside images -------------------------------------------------------------------------- */

  var pendingByEditor = [];

  function imagesIn(editor) {
    var model = editor.model;
    var found = [];
    var root = model.document.getRoot();
    Array.from(model.createRangeIn(root).getItems()).forEach(function (item) {
      if (item.is("element") && IMAGE_ELEMENTS.indexOf(item.name) !== -1 && item.hasAttribute("src") && !item.hasAttribute("uploadId")) {
        found.push(item);
      }
    });
    return found;
  }

  function withSrc(editor, src) {
    return imagesIn(editor).filter(function (element) { return element.getAttribute("src") === src; });
  }

  function replaceSrc(editor, src, url) {
    var elements = withSrc(editor, src);
    if (!elements.length) return;
    // Not undoable, as CKEditor's own uploads: undo must not bring the outside address back.
    editor.model.enqueueChange({ isUndoable: false }, function (writer) {
      elements.forEach(function (element) {
        writer.setAttribute("src", url, element);
        ["srcset", "sizes", "width", "height"].forEach(function (key) {
          if (element.hasAttribute(key)) writer.removeAttribute(key, element);
        });
      });
    });
  }

  function removeImages(editor, src) {
    var elements = withSrc(editor, src);
    if (!elements.length) return;
    editor.model.enqueueChange({ isUndoable: false }, function (writer) {
      elements.forEach(function (element) {
        var parent = element.parent;
        writer.remove(element);
        // An inline image alone in its paragraph leaves a blank line, which the server would drop on save.
        if (parent && parent.is("element", "paragraph") && parent.isEmpty && parent.parent && parent.parent.childCount > 1) {
          writer.remove(parent);
        }
      });
    });
  }

  function importImage(editor, src) {
    var progress = showMessage(editor, interpolate(gettext("正在导入外部图片 %(url)s……"), { url: shown(src) }, true), "info");
    return N.postJSON(IMPORT_URL, { url: src }).then(function (result) {
      progress.remove();
      var body = result.body || {};
      if (result.status === 200 && body.url) {
        replaceSrc(editor, src, body.url);
        return;
      }
      removeImages(editor, src);
      showMessage(editor, body.error || interpolate(gettext("无法导入图片 %(url)s：网络连接失败"), { url: shown(src) }, true));
    });
  }

  function watchImages(editor) {
    var pending = {};
    var entry = { editor: editor, pending: pending };
    pendingByEditor.push(entry);

    function scan() {
      imagesIn(editor).forEach(function (element) {
        var src = element.getAttribute("src");
        if (pending[src] || isOwn(src) || /^blob:/i.test(src)) return; // blob: is always one of CKEditor's uploads
        if (/^data:/i.test(src)) {
          // CKEditor uploads a pasted data:image/<type>;base64 image (the image then has an uploadId and is not
          // listed here). Any other data: image (SVG, not base64, set by setData) would be dropped by the server.
          removeImages(editor, src);
          showMessage(editor, interpolate(gettext("已移除无法保存的嵌入图片（%(type)s）：请将图片存为 JPEG、PNG、GIF 或 WebP 文件后上传"), { type: dataType(src) }, true));
          return;
        }
        var path = ownPath(src);
        if (path) {
          replaceSrc(editor, src, path);
          return;
        }
        if (!/^https?:\/\//i.test(src) || !IMPORT_URL) {
          removeImages(editor, src);
          showMessage(editor, interpolate(gettext("无法导入图片 %(url)s：只能导入 http 或 https 地址的图片"), { url: shown(src) }, true));
          return;
        }
        pending[src] = importImage(editor, src).then(function () {
          delete pending[src];
        }, function () {
          delete pending[src];
        });
      });
    }

    editor.model.document.on("change:data", scan);
    scan();
  }

  /* A promise that settles when every import of the editors inside `form` has, or null when none is running. */
  N.importsPending = function (form) {
    var promises = [];
    pendingByEditor.forEach(function (entry) {
      var element = entry.editor.sourceElement;
      if (form && element && !form.contains(element)) return;
      Object.keys(entry.pending).forEach(function (src) { promises.push(entry.pending[src]); });
    });
    return promises.length ? Promise.all(promises) : null;
  };

  document.querySelectorAll("textarea.django_ckeditor_5").forEach(function (textarea) {
    N.onEditor(textarea, function (editor) {
      messageArea(editor);
      takeNotifications(editor);
      uploadBesideSelection(editor);
      watchImages(editor);
    });
  });
})();
