/* The issue editor: autosave a few seconds after the last change, with the version each save started from;
   a refused save (409, someone else saved in between) shows the server's three-way merge of their text and
   ours: merged where the edits do not overlap, each overlapping hunk with both texts to choose from, saved on
   top of their version; never a silent overwrite. Who else has the issue open is shown as 某某 正在编辑.
   Also: source search for 参考文献. */
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
    this.sent = null;
    // The issue's own fields keep no revisions: their saves carry the values they started from (`base`).
    this.sendsBase = form.hasAttribute("data-merge-base");
    this.base = this.sendsBase ? fieldValues(this, this.collect()) : null;
    this.bind();
  }

  Autosave.prototype.fields = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("[data-field]"));
  };

  Autosave.prototype.bind = function () {
    var self = this;
    this.fields().forEach(function (field) {
      if (field.tagName === "TEXTAREA" && field.classList.contains("django_ckeditor_5")) {
        N.onEditor(field, function (editor) {
          editor.model.document.on("change:data", function () { self.changed(); });
        });
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
    // Images pasted from outside are still being imported (image_import.js): save once they are ours.
    var importing = N.importsPending && N.importsPending(this.form);
    if (importing) {
      this.dirty = true;
      return importing.then(function () { return self.save(); });
    }
    if (this.saving) {
      this.again = true;
      return this.saving;
    }
    this.dirty = false;
    this.setStatus("saving", gettext("正在保存……"));
    var data = this.collect();
    if (this.sendsBase && this.base) data.base = this.base;
    this.sent = data;
    this.saving = N.postJSON(this.url, data).then(function (result) {
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
      if (this.sendsBase && this.sent) this.base = fieldValues(this, this.sent);
      this.setStatus("saved", N.interpolate(gettext("已保存 %(time)s"), { time: body.saved_at_display }, true));
      return;
    }
    if (result.status === 409 && body.current) {
      this.dirty = true;
      this.showConflict(body.error, body.current, body.merge);
      return;
    }
    this.dirty = true;
    if (result.status === 0) {
      this.setStatus("error", gettext("保存失败：网络连接中断，稍后自动重试"));
      var self = this;
      this.timer = window.setTimeout(function () { self.save(); }, RETRY_DELAY);
      return;
    }
    this.setStatus("error", N.interpolate(gettext("保存失败：%(error)s"), { error: body.error || statusReason(result.status) }, true));
  };

  /* What a refused save without a JSON message means (Django's own error pages answer before the newsroom's
     views: a body too large to read, a section deleted meanwhile). The writer's text stays in the editor. */
  function statusReason(status) {
    if (status === 400) return gettext("内容太长或格式有误，没有保存。请缩短内容后重试。");
    if (status === 403) return gettext("没有权限或登录已过期，请在新窗口重新登录后再保存。");
    if (status === 404) return gettext("这一条目已被删除，您的文字仍在本页，请复制保存。");
    return status;
  }

  /* --- conflicts ------------------------------------------------------------------------------------ */

  function fieldLabel(form, name) {
    var field = form.querySelector('[data-field="' + name + '"]');
    var label = field && field.id ? form.querySelector('label[for="' + field.id + '"]') : null;
    // The label's own text, without the hint in <small>.
    return label && label.firstChild ? label.firstChild.textContent.trim() : name;
  }

  function isRich(form, name) {
    var field = form.querySelector('[data-field="' + name + '"]');
    return !!(field && field.classList.contains("django_ckeditor_5"));
  }

  function asText(value) {
    if (Array.isArray(value)) return value.join("，");
    if (value === null || value === undefined) return "";
    return String(value);
  }

  function plain(form, name, value) {
    value = asText(value);
    return isRich(form, name) ? htmlToText(value) : value.trim();
  }

  /* Rich text is shown as text: the conflict panel is for reading and comparing, not for running markup. */
  function htmlToText(html) {
    var marked = String(html).replace(/<\/(p|h[1-6]|li|blockquote|tr|figcaption)>|<br\s*\/?>/gi, "$&\n");
    var doc = new DOMParser().parseFromString(marked, "text/html");
    return (doc.body.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The values of the form's own fields in `data` (a collected save, or what the server holds now). */
  function fieldValues(autosave, data) {
    var values = {};
    autosave.fields().forEach(function (field) {
      var name = field.getAttribute("data-field");
      if (name in data) values[name] = data[name];
    });
    return values;
  }

  function sameValues(a, b) {
    return Object.keys(a).every(function (name) { return asText(a[name]) === asText(b[name]); });
  }

  var TOPIC_SEPARATORS = /[,，、;；\n]+/;

  function render(container, form, values, other) {
    container.textContent = "";
    Object.keys(values).forEach(function (name) {
      var block = element("div", "conflict-field");
      if (plain(form, name, values[name]) !== plain(form, name, other[name])) block.classList.add("differs");
      block.appendChild(element("p", "label", fieldLabel(form, name)));
      var value = element("div", isRich(form, name) ? "pre" : "", plain(form, name, values[name]) || "—");
      block.appendChild(value);
      container.appendChild(block);
    });
  }

  Autosave.prototype.showConflict = function (message, current, merge) {
    var self = this;
    this.inConflict = true;
    this.current = current;
    this.merge = merge || null;
    // What the refused save carried: the merge was made from it.
    this.refused = fieldValues(this, this.sent || this.collect());
    this.setStatus("conflict", gettext("冲突：对方已保存"));
    if (!this.conflict) return;
    var panel = this.conflict;
    panel.querySelector("[data-conflict-message]").textContent = message;
    var who = current.author
      ? N.interpolate(gettext("%(author)s 于 %(time)s 保存的版本"), { author: current.author, time: current.saved_at_display || "" }, true)
      : gettext("对方保存的版本");
    panel.querySelector("[data-conflict-who]").textContent = who;
    panel.querySelector("[data-conflict-theirs-title]").textContent = who;
    var mine = fieldValues(this, this.collect());
    var theirs = fieldValues(this, current);
    render(panel.querySelector("[data-theirs]"), this.form, theirs, mine);
    render(panel.querySelector("[data-mine]"), this.form, mine, theirs);
    this.renderMerge();
    panel.hidden = false;
    panel.querySelector("[data-take-theirs]").onclick = function () { self.takeTheirs(); };
    panel.querySelector("[data-save-merge]").onclick = function () { self.saveMerge(); };
    panel.scrollIntoView({ behavior: "smooth", block: "center" });
  };

  /* The merged text, field by field: their changes marked, mine underlined, and each hunk both changed shown
     with both texts and a choice. Nothing is rendered as markup. */
  Autosave.prototype.renderMerge = function () {
    var self = this;
    var panel = this.conflict;
    var merge = this.merge;
    var preview = panel.querySelector("[data-merge-preview]");
    preview.textContent = "";
    panel.querySelector("[data-merge-error]").hidden = true;
    panel.querySelector("[data-save-merge]").hidden = !merge;
    panel.querySelector("[data-merge-clean]").hidden = !merge || !merge.clean;
    panel.querySelector("[data-merge-conflicts]").hidden = !merge || merge.clean;
    // Without a merge (an older server answer) the two full versions are all there is: show them.
    panel.querySelector('[data-test="conflict-versions"]').open = !merge;
    if (!merge) return;
    Object.keys(merge.fields).forEach(function (name) {
      var field = merge.fields[name];
      if (field.status === "unchanged") return;
      var block = element("div", "merge-field");
      block.setAttribute("data-test", "merge-field");
      block.setAttribute("data-merge-field", name);
      block.appendChild(element("p", "label", fieldLabel(self.form, name)));
      if (field.kind === "topics") block.appendChild(self.renderTopics(name, field));
      else block.appendChild(self.renderParts(name, field));
      preview.appendChild(block);
    });
  };

  Autosave.prototype.renderTopics = function (name, field) {
    var mine = asText(this.refused[name]).split(TOPIC_SEPARATORS).map(function (s) { return s.trim(); });
    var out = element("div", "pre");
    (field.value || []).forEach(function (topic, index) {
      if (index) out.appendChild(document.createTextNode("，"));
      if (mine.indexOf(topic) === -1) out.appendChild(element("mark", "merge-theirs", topic));
      else out.appendChild(document.createTextNode(topic));
    });
    if (!out.childNodes.length) out.textContent = "—";
    return out;
  };

  Autosave.prototype.renderParts = function (name, field) {
    var self = this;
    var out = element("div", "pre merge-text");
    var parts = field.parts || [];
    if (field.kind === "value" && field.status !== "conflict") {
      out.appendChild(element(field.status === "theirs" ? "mark" : "span", "merge-theirs", asText(field.value) || "—"));
      return out;
    }
    parts.forEach(function (part) {
      if (part.origin === "conflict") {
        out.appendChild(self.renderHunk(name, field, part));
        return;
      }
      if (part.origin === "same" || part.origin === "both") {
        out.appendChild(document.createTextNode(part.text));
        return;
      }
      var theirs = part.origin === "theirs";
      if (part.removed) out.appendChild(element("del", theirs ? "merge-theirs" : "merge-mine", part.removed));
      if (part.text) {
        var added = element(theirs ? "mark" : "ins", theirs ? "merge-theirs" : "merge-mine", part.text);
        added.setAttribute("data-test", theirs ? "merge-theirs" : "merge-mine");
        out.appendChild(added);
      }
    });
    return out;
  };

  /* A side of a conflict as the reader sees it. Without text of its own, it deleted the base's text (even when
     markup is left, such as a list's tags turned from <ul> into <ol>), or, where the base had no text either,
     changed only the formatting. */
  function sideText(side, base) {
    if (side.text.trim()) return side.text;
    if (base && base.text && base.text.trim()) return gettext("（删去了这段文字）");
    return side.raw ? gettext("（只改了格式）") : gettext("（删去了这段文字）");
  }

  Autosave.prototype.renderHunk = function (name, field, part) {
    var hunk = element("div", "merge-hunk");
    hunk.setAttribute("data-test", "merge-hunk");
    var sides = element("div", "merge-sides");
    [["theirs", gettext("对方的文字")], ["mine", gettext("我的文字")]].forEach(function (pair) {
      var column = element("div", "merge-side");
      column.setAttribute("data-test", "hunk-" + pair[0]);
      column.appendChild(element("h5", "", pair[1]));
      column.appendChild(element("div", "pre", sideText(part[pair[0]], part.base)));
      sides.appendChild(column);
    });
    hunk.appendChild(sides);
    var choices = element("div", "merge-choices");
    var group = this.form.getAttribute("action") + "|" + name + "|" + part.index;
    var options = [["theirs", gettext("用对方的")], ["mine", gettext("用我的")]];
    // A single value (the issue number) cannot hold both.
    if (field.kind !== "value") options.push(["both", gettext("两者都保留")]);
    options.forEach(function (option) {
      var label = element("label", "merge-choice");
      var input = element("input");
      input.type = "radio";
      input.name = group;
      input.value = option[0];
      input.setAttribute("data-merge-choice", name + ":" + part.index);
      input.setAttribute("data-test", "choose-" + option[0]);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + option[1]));
      choices.appendChild(label);
    });
    hunk.appendChild(choices);
    return hunk;
  };

  Autosave.prototype.choiceFor = function (name, index) {
    var checked = this.conflict.querySelector('[data-merge-choice="' + name + ":" + index + '"]:checked');
    return checked ? checked.value : null;
  };

  /* Put `values` into the fields without counting it as the writer's typing. */
  Autosave.prototype.apply = function (values) {
    this.applying = true;
    this.fields().forEach(function (field) {
      var name = field.getAttribute("data-field");
      if (!(name in values)) return;
      var value = asText(values[name]);
      var editor = field.tagName === "TEXTAREA" ? editorFor(field) : null;
      if (editor) editor.setData(value); else field.value = value;
    });
    this.applying = false;
  };

  Autosave.prototype.endConflict = function () {
    this.inConflict = false;
    if (this.conflict) this.conflict.hidden = true;
    this.versionInput.value = this.current.version;
  };

  /* Save the merge on top of their version, through the ordinary save: it becomes a revision, and if someone
     saved again meanwhile it is merged again. */
  Autosave.prototype.saveMerge = function () {
    var self = this;
    var merge = this.merge;
    if (!merge) return;
    if (!sameValues(fieldValues(this, this.collect()), this.refused)) {
      // Typed since the refused save: send that text from the old version, so the server merges it instead.
      this.inConflict = false;
      this.conflict.hidden = true;
      this.save();
      return;
    }
    var values = {};
    var missing = 0;
    Object.keys(merge.fields).forEach(function (name) {
      var field = merge.fields[name];
      if (field.status !== "conflict") {
        values[name] = field.value;
        return;
      }
      values[name] = field.parts.map(function (part) {
        if (part.origin !== "conflict") return part.raw;
        var choice = self.choiceFor(name, part.index);
        if (!choice) { missing += 1; return ""; }
        return choice === "both" ? part.theirs.raw + part.mine.raw : part[choice].raw;
      }).join("");
    });
    if (missing) {
      var error = this.conflict.querySelector("[data-merge-error]");
      error.textContent = gettext("还有冲突没有选择：请为每一处选择保留哪一方。");
      error.hidden = false;
      return;
    }
    this.apply(values);
    this.endConflict();
    this.versionInput.value = merge.version;
    this.save();
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
        lines.push(fieldLabel(this.form, name) + "：\n" + plain(this.form, name, mine[name]));
      }, this);
      backup.querySelector("[data-mine-backup-text]").textContent = lines.join("\n\n");
      backup.hidden = false;
    }
    this.apply(fieldValues(this, current));
    this.base = fieldValues(this, current);
    this.endConflict();
    this.dirty = false;
    this.setStatus("saved", gettext("已采用对方的版本"));
  };

  /* --- who else has this issue open ------------------------------------------------------------------ */

  /* A heartbeat while the page is open (and at once when the writer moves to another section); the answer
     lists the others, shown as 某某 正在编辑 on the section or issue fields they are in. Closing the page
     says so with a beacon, which carries the CSRF token as a form field because it cannot set headers. */
  function Presence(root) {
    var self = this;
    this.root = root;
    this.url = root.getAttribute("data-url");
    var seconds = parseInt(root.getAttribute("data-interval"), 10);
    this.interval = (isNaN(seconds) ? 20 : seconds) * 1000;
    this.where = "";
    this.timer = null;
    document.addEventListener("focusin", function (event) {
      var place = event.target.closest ? event.target.closest("[data-presence-where]") : null;
      if (!place) return;
      var where = place.getAttribute("data-presence-where");
      if (where !== self.where) {
        self.where = where;
        self.beat();
      }
    });
    window.addEventListener("pagehide", function () { self.leave(); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) self.beat(); });
    this.beat();
  }

  Presence.prototype.beat = function () {
    var self = this;
    window.clearTimeout(this.timer);
    N.postJSON(this.url, { where: this.where }).then(function (result) {
      if (result.status === 200) self.show(result.body.others || []);
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () { self.beat(); }, self.interval);
    });
  };

  Presence.prototype.leave = function () {
    window.clearTimeout(this.timer);
    var data = new FormData();
    data.append("csrfmiddlewaretoken", N.csrfToken());
    data.append("leave", "1");
    if (navigator.sendBeacon) navigator.sendBeacon(this.url, data);
  };

  function names(others) {
    var seen = [];
    others.forEach(function (other) { if (seen.indexOf(other.name) === -1) seen.push(other.name); });
    return seen.join("、");
  }

  Presence.prototype.show = function (others) {
    this.root.textContent = N.interpolate(gettext("%(names)s 正在编辑本期"), { names: names(others) }, true);
    this.root.hidden = !others.length;
    document.querySelectorAll("[data-presence-where]").forEach(function (place) {
      var note = place.querySelector("[data-presence-note]");
      if (!note) return;
      var where = place.getAttribute("data-presence-where");
      var here = others.filter(function (other) { return other.where === where; });
      note.textContent = N.interpolate(gettext("%(names)s 正在编辑"), { names: names(here) }, true);
      note.hidden = !here.length;
      warnBeforeDelete(where, here);
    });
  };

  /* Deleting a section someone else is writing in would turn their next save into "deleted": the delete
     confirmation names them while they are there. */
  function warnBeforeDelete(where, here) {
    var match = /^section-(\d+)$/.exec(where);
    var form = match && document.getElementById("delete-" + match[1]);
    if (!form) return;
    if (!form.hasAttribute("data-confirm-base")) form.setAttribute("data-confirm-base", form.getAttribute("data-confirm") || "");
    var question = form.getAttribute("data-confirm-base");
    if (here.length) {
      question += "\n\n" + N.interpolate(gettext("%(names)s 正在编辑这一条，删除后对方尚未保存的修改将无法保存。"), { names: names(here) }, true);
    }
    form.setAttribute("data-confirm", question);
  }

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
  document.querySelectorAll("[data-presence]").forEach(function (root) {
    // An interval of 0 turns the heartbeat off (the server's setting).
    if (root.getAttribute("data-interval") !== "0") new Presence(root);
  });

  window.addEventListener("beforeunload", function (event) {
    var pending = forms.some(function (f) { return f.dirty || f.saving; });
    if (pending) {
      forms.forEach(function (f) { f.flush(); });
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
