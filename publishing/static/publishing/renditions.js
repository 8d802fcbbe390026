// Live status of an issue's renditions in the newsroom: polls while anything is queued or running.
(function () {
  "use strict";
  var panel = document.querySelector("[data-renditions]");
  if (!panel) return;
  var list = panel.querySelector("[data-renditions-list]");
  var gettext = window.gettext || function (s) { return s; };
  var busy = { queued: true, running: true };

  function row(entry) {
    var li = document.createElement("li");
    li.dataset.kind = entry.kind;
    li.dataset.status = entry.status || "none";
    var label = document.createElement("strong");
    label.textContent = entry.label + gettext("：");
    li.appendChild(label);
    var state = document.createElement("span");
    state.className = "rendition-status rendition-" + (entry.status || "none");
    state.textContent = entry.status ? entry.status_label : gettext("尚未生成");
    if (entry.stale) state.textContent += gettext("（内容已变，待重新生成）");
    li.appendChild(state);
    if (entry.url) {
      li.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = entry.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = gettext("打开");
      li.appendChild(link);
    }
    if (entry.error) {
      var error = document.createElement("pre");
      error.className = "error";
      error.textContent = entry.error;
      li.appendChild(error);
    }
    return li;
  }

  function refresh() {
    fetch(panel.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        list.replaceChildren.apply(list, data.renditions.map(row));
        var waiting = data.renditions.some(function (e) { return busy[e.status]; });
        if (waiting) window.setTimeout(refresh, 3000);
      })
      .catch(function () {
        var li = document.createElement("li");
        li.className = "error";
        li.textContent = gettext("读取生成状态失败，稍后重试…");
        list.replaceChildren(li);
        window.setTimeout(refresh, 10000);
      });
  }

  refresh();
})();
