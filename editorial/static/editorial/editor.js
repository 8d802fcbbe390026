/* The issue editor: autosave a few seconds after the last change, with the version each save started from;
   a refused save (409, someone else saved in between) shows their text beside ours and lets the writer take
   theirs or keep ours on top of their version, never a silent overwrite. Also: source search for 参考文献. */
(function () {
  "use strict";

  var N = window.Newsroom;
  var gettext = N.gettext;
  var AUTOSAVE_DELAY = 3000;
  var RETRY_DELAY = 10000;

  function editorFor(textarea) {
    return (window.editors && window.editors[textarea.id]) || null;
  }

  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("action");
    this.versionInput = form.querySelector("[data-version]");
    this.status = form.querySelector("[data-save-status]");
    this.conflict = form.querySelector("[data-conflict]");
    this.timer = null;
    this.dirty = false;
    this.saving = null;
    this.again = false;
    this.inConflict = false;
    this.applying = false;
    this.bind();
  }

  Autosave.prototype.fields = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("[data-field]"));
  };

  Autosave.prototype.bind = function () {
    var self = this;
    this.fields().forEach(function (field) {
      if (field.tagName === "TEXTAREA" && field.classList.contains("django_ckeditor_5")) {
        var hook = function (editor) {
          editor.model.document.on("change:data", function () { self.changed(); });
        };
        var existing = editorFor(field);
        if (existing) hook(existing);
        else if (typeof window.ckeditorRegisterCallback === "function") window.ckeditorRegisterCallback(field.id, hook);
      } else {
        field.addEventListener("input", function () { self.changed(); });
      }
    });
    this.form.addEventListener("submit", function (event) {
      // With JS the save button saves in place; without it the form posts and the page reloads.
      event.preventDefault();
      self.save();
    });
    N.registerFlush(function () { return self.flush(); });
  };

  Autosave.prototype.setStatus = function (state, text) {
    if (!this.status) return;
    this.status.setAttribute("data-state", state);
    this.status.textContent = text;
  };

  Autosave.prototype.changed = function () {
    if (this.applying) return;
    this.dirty = true;
    if (this.inConflict) return; // wait for the writer to choose
    this.setStatus("dirty", gettext("有未保存的修改"));
    window.clearTimeout(this.timer);
    var self = this;
    this.timer = window.setTimeout(function () { self.save(); }, AUTOSAVE_DELAY);
  };

  Autosave.prototype.collect = function () {
    var data = {};
    this.fields().forEach(function (field) {
      var name = field.getAttribute("data-field");
      var editor = field.tagName === "TEXTAREA" ? editorFor(field) : null;
      data[name] = editor ? editor.getData() : field.value;
    });
    data.version = parseInt(this.versionInput.value, 10);
    return data;
  };

  Autosave.prototype.flush = function () {
    if (this.inConflict) return Promise.resolve();
    if (this.saving) return this.saving;
    if (this.dirty) return this.save();
    return Promise.resolve();
  };

  Autosave.prototype.save = function () {
    var self = this;
    window.clearTimeout(this.timer);
    if (this.saving) {
      this.again = true;
      return this.saving;
    }
    this.dirty = false;
    this.setStatus("saving", gettext("正在保存……"));
    this.saving = N.postJSON(this.url, this.collect()).then(function (result) {
      self.saving = null;
      self.handle(result);
      if (self.again && !self.inConflict) {
        self.again = false;
        return self.save();
      }
      self.again = false;
      return result;
    });
    return this.saving;
  };

  Autosave.prototype.handle = function (result) {
    var body = result.body || {};
    if (result.status === 200) {
      this.versionInput.value = body.version;
      this.setStatus("saved", N.interpolate(gettext("已保存 %(time)s"), { time: body.saved_at_display }, true));
      return;
    }
    if (result.status === 409 && body.current) {
      this.dirty = true;
      this.showConflict(body.error, body.current);
      return;
    }
    this.dirty = true;
    if (result.status === 0) {
      this.setStatus("error", gettext("保存失败：网络连接中断，稍后自动重试"));
      var self = this;
      this.timer = window.setTimeout(function () { self.save(); }, RETRY_DELAY);
      return;
    }
    this.setStatus("error", N.interpolate(gettext("保存失败：%(error)s"), { error: body.error || result.status }, true));
  };

  /* --- conflicts ------------------------------------------------------------------------------------ */

  function fieldLabel(form, name) {
    var field = form.querySelector('[data-field="' + name + '"]');
    var label = field && field.id ? form.querySelector('label[for="' + field.id + '"]') : null;
    // The label's own text, without the hint in <small>.
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function plain(form, name, value) {
    var field = form.querySelector('[data-field="' + name + '"]');
    if (Array.isArray(value)) value = value.join("，");
    if (value === null || value === undefined) value = "";
    return field && field.classList.contains("django_ckeditor_5") ? htmlToText(value) : String(value).trim();
  }

  /* Rich text is shown as text: the conflict panel is for reading and comparing, not for running markup. */
  function htmlToText(html) {
    var marked = String(html).replace(/<\/(p|h[1-6]|li|blockquote|tr|figcaption)>|<br\s*\/?>/gi, "$&\n");
    var doc = new DOMParser().parseFromString(marked, "text/html");
    return (doc.body.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
  }

  function render(container, form, values, other) {
    container.textContent = "";
    Object.keys(values).forEach(function (name) {
      if (name === "version") return;
      var block = document.createElement("div");
      block.className = "conflict-field";
      if (plain(form, name, values[name]) !== plain(form, name, other[name])) block.classList.add("differs");
      var label = document.createElement("p");
      label.className = "label";
      label.textContent = fieldLabel(form, name);
      var value = document.createElement("div");
      var field = form.querySelector('[data-field="' + name + '"]');
      var isRich = field && field.classList.contains("django_ckeditor_5");
      var text = values[name];
      if (Array.isArray(text)) text = text.join("，");
      if (text === null || text === undefined) text = "";
      value.textContent = (isRich ? htmlToText(text) : String(text)) || "—";
      if (isRich) value.className = "pre";
      block.appendChild(label);
      block.appendChild(value);
      container.appendChild(block);
    });
  }

  Autosave.prototype.showConflict = function (message, current) {
    var self = this;
    this.inConflict = true;
    this.current = current;
    this.setStatus("conflict", gettext("冲突：对方已保存"));
    if (!this.conflict) return;
    var mine = this.collect();
    var theirs = {};
    Object.keys(mine).forEach(function (name) { if (name in current) theirs[name] = current[name]; });
    this.conflict.querySelector("[data-conflict-message]").textContent = message;
    var who = this.conflict.querySelector("[data-conflict-who]");
    if (who) {
      who.textContent = current.author
        ? N.interpolate(gettext("%(author)s 于 %(time)s 保存的版本"), { author: current.author, time: current.saved_at_display || "" }, true)
        : gettext("对方保存的版本");
    }
    render(this.conflict.querySelector("[data-theirs]"), this.form, theirs, mine);
    render(this.conflict.querySelector("[data-mine]"), this.form, mine, theirs);
    this.conflict.hidden = false;
    this.conflict.querySelector("[data-take-theirs]").onclick = function () { self.takeTheirs(); };
    this.conflict.querySelector("[data-keep-mine]").onclick = function () { self.keepMine(); };
    this.conflict.scrollIntoView({ behavior: "smooth", block: "center" });
  };

  Autosave.prototype.endConflict = function () {
    this.inConflict = false;
    if (this.conflict) this.conflict.hidden = true;
    this.versionInput.value = this.current.version;
  };

  Autosave.prototype.takeTheirs = function () {
    var current = this.current;
    // Keep the writer's own text on the page, so taking theirs never loses what was typed.
    var backup = this.form.querySelector("[data-mine-backup]");
    if (backup) {
      var mine = this.collect();
      var lines = [];
      this.fields().forEach(function (field) {
        var name = field.getAttribute("data-field");
        var value = mine[name];
        if (field.classList.contains("django_ckeditor_5")) value = htmlToText(value);
        lines.push(fieldLabel(this.form, name) + "：\n" + value);
      }, this);
      backup.querySelector("[data-mine-backup-text]").textContent = lines.join("\n\n");
      backup.hidden = false;
    }
    this.applying = true;
    this.fields().forEach(function (field) {
      var name = field.getAttribute("data-field");
      if (!(name in current)) return;
      var value = current[name];
      if (Array.isArray(value)) value = value.join("，");
      if (value === null || value === undefined) value = "";
      var editor = field.tagName === "TEXTAREA" ? editorFor(field) : null;
      if (editor) editor.setData(String(value)); else field.value = value;
    });
    this.applying = false;
    this.endConflict();
    this.dirty = false;
    this.setStatus("saved", gettext("已采用对方的版本"));
  };

  Autosave.prototype.keepMine = function () {
    // Save on top of their version: their text stays in the history as the previous revision.
    this.endConflict();
    this.save();
  };

  /* --- source search for 参考文献 -------------------------------------------------------------------- */

  function SourcePicker(root) {
    var input = root.querySelector("[data-source-search]");
    var results = root.querySelector("[data-source-results]");
    var hidden = root.querySelector('input[name="source"]');
    var chosen = root.querySelector("[data-source-chosen]");
    var chosenLabel = root.querySelector("[data-source-chosen-label]");
    var clear = root.querySelector("[data-source-clear]");
    var newSource = root.querySelector("[data-new-source]");
    var url = input.getAttribute("data-url");
    var timer = null;
    var seq = 0;

    function choose(item) {
      hidden.value = item.id;
      chosenLabel.textContent = item.label;
      chosen.hidden = false;
      results.hidden = true;
      input.value = "";
      if (newSource) newSource.disabled = true;
    }

    clear.addEventListener("click", function () {
      hidden.value = "";
      chosen.hidden = true;
      if (newSource) newSource.disabled = false;
      input.focus();
    });

    function search() {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) { results.hidden = true; return; }
      N.getJSON(url + "?q=" + encodeURIComponent(q)).then(function (data) {
        if (mine !== seq) return;
        results.textContent = "";
        (data.results || []).forEach(function (item) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = item.label;
          button.setAttribute("data-test", "source-result");
          button.addEventListener("click", function () { choose(item); });
          li.appendChild(button);
          results.appendChild(li);
        });
        if (!results.children.length) {
          var empty = document.createElement("li");
          empty.className = "empty";
          empty.textContent = gettext("没有找到，可在下方新建来源。");
          results.appendChild(empty);
        }
        results.hidden = false;
      }).catch(function () { results.hidden = true; });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      // Enter searches instead of submitting the whole citation form.
      if (event.key === "Enter") { event.preventDefault(); search(); }
    });
  }

  var forms = Array.prototype.map.call(document.querySelectorAll("form[data-autosave]"), function (form) {
    return new Autosave(form);
  });
  document.querySelectorAll("[data-source-picker]").forEach(function (root) { SourcePicker(root); });

  window.addEventListener("beforeunload", function (event) {
    var pending = forms.some(function (f) { return f.dirty || f.saving; });
    if (pending) {
      forms.forEach(function (f) { f.flush(); });
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
