/* The newsroom's rules inside CKEditor 5: what the editor holds is what the server keeps (editorial/sanitize.py),
   so a writer sees after a paste exactly what will be saved, and what the editor writes comes back unchanged.

   Loaded by the rich-text widget's media (editorial.forms.RichTextWidget) right after CKEditor's bundle, and
   added to every editor as a plugin: settings.CKEDITOR_5_CONFIGS names it in `extraPlugins` as
   "callback:XinzhiEditorRules", which django-ckeditor-5 resolves to this global. A plugin, not a
   ckeditorRegisterCallback callback: its converters must be in place before the editor loads its data, and
   the newsroom's scripts share that API through Newsroom.onEditor, which runs after the data is loaded.

   What the configuration alone cannot do, and this plugin does (CKEditor 5 API: conversion and post-fixers,
   https://ckeditor.com/docs/ckeditor5/latest/framework/deep-dive/conversion/intro.html):
   - lazy-loaded images (WeChat's data-src...) arrive with their real address, and table spans are bounded so a
     pasted colspan="100000" cannot bring the editor down.
   - script, style and the other raw-text elements vanish with their contents wherever HTML enters the editor
     (paste, drop, setData), as on the server: a pasted <script>alert('x')</script> is not a paragraph 'alert'.
   - a link to an address the server refuses (javascript:, data:, vbscript:...) is plain text at once.
   - the data has no list-item ids, no aspect-ratio style on images and no empty caption (the server keeps
     none of them), every link carries the rel the server adds, where nh3 puts it, and an image's attributes
     come in one order: the editor's output is a fixed point of the sanitizer, and reading it back writes it
     again unchanged (tests/fixtures/ckeditor_constructs.json, recorded by tests/browser/test_editor_round_trip.py).
   - the image caption button says 图片标题: CKEditor's Chinese shares one message (表标题) with tables. */
(function () {
  "use strict";

  var gettext = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };

  // editorial.sanitize.CLEAN_CONTENT_TAGS: elements removed together with everything inside them.
  var CLEAN_CONTENT_TAGS = [
    "script", "style", "template", "noscript", "noembed", "noframes", "iframe", "object", "xmp", "plaintext",
    "textarea", "select", "title", "svg", "math"
  ];
  // The rel nh3 adds to every link (sanitize.py, link_rel).
  var LINK_REL = "noopener noreferrer";

  /* Whether the server keeps `href` (editorial.sanitize.link_address, the same steps): an absolute http(s)
     address with a host, mailto:, a path on our site ("/issues/…"), a place in the document ("#ref-1"), or a
     protocol-relative "//host/…" (stored as https). Read as the browser reads it first (tabs and line breaks
     inside and controls around removed), so java&#x09;script: is seen for what it is; a path relative to the
     page ("a.html", "?q=1") and "https:host" go, because they mean a different address in every output. */
  var URL_EDGES = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
  var SCHEME = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/;
  var SLASHES = /^[\/\\]*/;

  function parsesWithHost(address) {
    try {
      return Boolean(new URL(address).hostname);
    } catch (error) {
      return false;
    }
  }

  function isSafeHref(href) {
    if (typeof href !== "string") return false;
    var value = href.replace(/[\t\n\r]/g, "").replace(URL_EDGES, "");
    if (!value) return false;
    if (value.charAt(0) === "#") return true;
    var scheme = SCHEME.exec(value);
    if (!scheme) {
      var leading = SLASHES.exec(value)[0];
      if (leading === "/") {
        try {
          new URL(value, "https://example.invalid/");
          return true;
        } catch (error) {
          return false;
        }
      }
      if (leading.length < 2) return false;
      value = "https:" + value;
      scheme = SCHEME.exec(value);
    }
    var name = scheme[1].toLowerCase();
    var rest = value.slice(scheme[0].length);
    if (name === "mailto") return rest.length > 0;
    if (name !== "http" && name !== "https") return false;
    if (SLASHES.exec(rest)[0].length < 2) return false;
    return parsesWithHost(name + "://" + rest.replace(SLASHES, ""));
  }

  function XinzhiEditorRules(editor) {
    this.editor = editor;
  }

  XinzhiEditorRules.pluginName = "XinzhiEditorRules";

  XinzhiEditorRules.prototype.init = function () {
    this.repairIncomingHtml();
    this.dropRawTextElements();
    this.unlinkUnsafeAddresses();
    this.plainData();
    this.linkRel();
    this.imageCaptionLabel();
  };

  /* HTML entering the editor (a paste, setData, the initial data) is repaired as a DOM before CKEditor reads it:
     - lazy-loaded images get their real address. WeChat's clipboard gives an image not yet scrolled into view as
       <img data-src="https://mmbiz.qpic.cn/..." src="data:image/svg+xml,..." class="img_loading">; other sites'
       lazy loaders use data-original or data-actualsrc. The placeholder would be dropped (image_import.js), the
       real address is imported like any outside image.
     - table spans are bounded: a pasted colspan="100000" makes CKEditor build a row of 100000 cells and fail
       (Maximum call stack size exceeded). A span is clamped to the server's bound (editorial.sanitize
       NUMBER_LIMITS) and to what the table can really span: a colspan to the columns it covers in which some
       cell starts, a rowspan to the rows left in the table (boundSpans).
     - invisible characters, blank paragraphs and indents go as the server removes them (INVISIBLE, trimBlock),
       so a paste shows at once what will be saved.
     Both readers of HTML go through DataController#htmlProcessor (the same object as #processor):
     ClipboardPipeline parses the clipboard's text/html with htmlProcessor.toView, setData with processor.toView.
     Word and Google Docs HTML is parsed by PasteFromOffice itself; its result is written out and read back
     through the same repair (see the inputTransformation listener). */
  XinzhiEditorRules.prototype.repairIncomingHtml = function () {
    var processor = this.editor.data.htmlProcessor;
    var toView = processor.toView.bind(processor);
    processor.toView = function (html) {
      return toView(repairHtml(html));
    };
    // Word and Google Docs content is parsed and normalized by PasteFromOffice (at high priority, which marks
    // it _isTransformedWithPasteFromOffice), never through toView: written out and read back through the
    // repaired toView, it loses Word's blank <p>&nbsp;</p> lines and indents like any other paste.
    var clipboard = this.editor.plugins.get("ClipboardPipeline");
    clipboard.on("inputTransformation", function (evt, data) {
      if (!data._isTransformedWithPasteFromOffice || !data.content) return;
      data.content = toView(repairHtml(processor.toData(data.content), true));
    });
  };

  /* `html` with lazy images, table spans and blank blocks repaired (see repairIncomingHtml); the same string
     when a quick look finds nothing to repair (`always`: look at the parsed document anyway, as for Word's
     markup, whose blank lines hide in empty spans), so ordinary data is parsed exactly as CKEditor parses it. */
  function repairHtml(html, always) {
    if (typeof html !== "string") return html;
    html = html.replace(INVISIBLE, "");
    if (!always && !LAZY_OR_SPAN.test(html) && !BLANK_OR_INDENT.test(html)) return html;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var changed = false;
    Array.from(doc.body.querySelectorAll("img")).forEach(function (img) {
      if (useLazySource(img)) changed = true;
    });
    Array.from(doc.body.querySelectorAll("table")).forEach(function (table) {
      if (boundSpans(table)) changed = true;
    });
    Array.from(doc.body.querySelectorAll(TRIMMED_BLOCKS)).reverse().forEach(function (block) {
      if (trimBlock(block)) changed = true;
    });
    return changed ? doc.body.innerHTML : html;
  }

  var LAZY_OR_SPAN = /data-(?:src|original|actualsrc)|colspan|rowspan/i;
  /* What the server removes from text (editorial.cleaning: zero-width space and non-joiner, word joiner and
     invisible operators, BOM, soft hyphen, Mongolian vowel separator, direction marks and overrides), removed at
     once so that the editor shows what will be saved. The zero-width joiner stays: it builds emoji. */
  var INVISIBLE = /[\u00ad\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
  // Blank paragraphs and indents of no-break or full-width spaces, as Word and WeChat write them.
  var BLANK_OR_INDENT = /&nbsp;|\u00a0|\u3000|<br|<(p|h[1-6]|li|blockquote)\b[^>]*>\s*<\/\1>/i;
  // editorial.sanitize TRIMMED_TAGS / DROPPED_WHEN_BLANK, less table captions (cells and captions keep theirs).
  var TRIMMED_BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, blockquote";
  var EDGE_SPACE = /^[\s\u00a0\u3000]+/;
  var EDGE_SPACE_END = /[\s\u00a0\u3000]+$/;

  /* As the server tidies a block (editorial.sanitize._tidy): spaces, no-break and full-width spaces and <br>s
     at its start and end go (an indent is the stylesheet's job), and a block left with nothing to see goes
     whole. Blocks inside table cells are left alone, as the server leaves cells. True when it changed. */
  function trimBlock(block) {
    if (block.closest("td, th")) return false;
    var before = block.innerHTML;
    trimEdge(block, true);
    trimEdge(block, false);
    if (!block.textContent.replace(/[\s\u00a0\u3000]/g, "") && !block.querySelector("img, table")) {
      block.remove();
      return true;
    }
    return block.innerHTML !== before;
  }

  function trimEdge(element, atStart) {
    var node = atStart ? element.firstChild : element.lastChild;
    while (node) {
      var next = atStart ? node.nextSibling : node.previousSibling;
      if (node.nodeType === Node.TEXT_NODE) {
        var text = node.nodeValue.replace(atStart ? EDGE_SPACE : EDGE_SPACE_END, "");
        if (text) { node.nodeValue = text; return; }
        node.remove();
      } else if (node.nodeName === "BR") {
        node.remove();
      } else if (node.nodeType === Node.ELEMENT_NODE && INLINE.test(node.nodeName)) {
        trimEdge(node, atStart);
        if (node.textContent || node.querySelector("img")) return;
        node.remove();
      } else {
        return;
      }
      node = next;
    }
  }

  var INLINE = /^(STRONG|B|EM|I|U|S|SUB|SUP|A|SPAN|CODE|MARK|SMALL|FONT)$/;
  // Where lazy loaders keep an image's real address, most common first (WeChat uses data-src).
  var LAZY_SOURCES = ["data-src", "data-original", "data-actualsrc"];
  // editorial.sanitize.NUMBER_LIMITS for td/th.
  var MAX_COLSPAN = 1000;
  var MAX_ROWSPAN = 65534;

  /* Sets the src of a lazy-loaded `img` to the real address its loader keeps; true when it did. Only an http(s)
     address (or a scheme-relative one, made https) is taken: the placeholder in src is never the image. */
  function useLazySource(img) {
    for (var i = 0; i < LAZY_SOURCES.length; i++) {
      var value = (img.getAttribute(LAZY_SOURCES[i]) || "").trim();
      if (value.indexOf("//") === 0) value = "https:" + value;
      if (!/^https?:\/\//i.test(value)) continue;
      img.setAttribute("src", value);
      // The placeholder's srcset (if any) would show instead of the real image.
      img.removeAttribute("srcset");
      LAZY_SOURCES.forEach(function (name) { img.removeAttribute(name); });
      return true;
    }
    return false;
  }

  function spanOf(cell, name) {
    var value = cell.getAttribute(name);
    return value !== null && /^\s*\d+\s*$/.test(value) ? parseInt(value, 10) : null;
  }

  /* The first column at or after `column` that no interval of `taken` ([start, end) columns held by cells of
     rows above) covers. */
  function freeColumn(taken, column) {
    var moved = true;
    while (moved) {
      moved = false;
      for (var i = 0; i < taken.length; i++) {
        if (taken[i][0] <= column && column < taken[i][1]) {
          column = taken[i][1];
          moved = true;
        }
      }
    }
    return column;
  }

  /* Bounds the colspan and rowspan of the `table`'s own cells (not those of tables inside); true when one
     changed. The cells are laid out as HTML lays them out (rows above hold columns through rowspan); a column
     in which no cell starts is only there because of a span, so a colspan becomes the number of columns it
     covers in which some cell starts: colspan="100000" over a two-column table becomes 2, a table whose
     every column has a cell starting in it keeps its spans. A rowspan ends at the table's last row. The
     spans are first clamped to the server's bounds and to the number of cells, which bounds the work. */
  function boundSpans(table) {
    var rows = Array.from(table.rows);
    var total = rows.reduce(function (count, row) { return count + row.cells.length; }, 0);
    var limit = Math.max(1, Math.min(MAX_COLSPAN, total));
    var taken = rows.map(function () { return []; });
    var starts = {};
    var placed = [];
    var changed = false;
    rows.forEach(function (row, index) {
      var column = 0;
      var left = rows.length - index;
      Array.from(row.cells).forEach(function (cell) {
        column = freeColumn(taken[index], column);
        var colspan = Math.min(Math.max(spanOf(cell, "colspan") || 1, 1), limit);
        var rowspan = spanOf(cell, "rowspan");
        if (rowspan !== null && rowspan > Math.min(MAX_ROWSPAN, left)) {
          cell.setAttribute("rowspan", String(Math.max(1, Math.min(MAX_ROWSPAN, left))));
          changed = true;
        }
        // rowspan="0" reaches the table's end (HTML); absent or 1 is this row only.
        var down = rowspan === 0 ? left : Math.min(Math.max(rowspan || 1, 1), left);
        for (var k = index; k < index + down; k++) taken[k].push([column, column + colspan]);
        starts[column] = true;
        placed.push({ cell: cell, start: column, end: column + colspan });
        column += colspan;
      });
    });
    var columns = Object.keys(starts).map(Number);
    placed.forEach(function (entry) {
      var given = spanOf(entry.cell, "colspan");
      if (given === null) return;
      var covered = columns.filter(function (start) { return start >= entry.start && start < entry.end; }).length;
      if (given > covered) {
        entry.cell.setAttribute("colspan", String(covered));
        changed = true;
      }
    });
    return changed;
  }

  /* Raw-text elements convert to nothing, children included: without a converter CKEditor would keep their
     text as a paragraph. Runs for the clipboard and for setData alike (both upcast through editor.data). */
  XinzhiEditorRules.prototype.dropRawTextElements = function () {
    this.editor.data.upcastDispatcher.on("element", function (evt, data, conversionApi) {
      if (CLEAN_CONTENT_TAGS.indexOf(data.viewItem.name) === -1) return;
      if (!conversionApi.consumable.consume(data.viewItem, { name: true })) return;
      data.modelRange = conversionApi.writer.createRange(data.modelCursor, data.modelCursor);
      evt.stop();
    }, { priority: "highest" });
  };

  /* A post-fixer sees every change of the model whatever made it (paste, the link form, undo, setData) and
     removes the link attribute from text whose address the server would refuse, leaving the text. */
  XinzhiEditorRules.prototype.unlinkUnsafeAddresses = function () {
    var model = this.editor.model;
    model.document.registerPostFixer(function (writer) {
      var unsafe = [];
      model.document.differ.getChanges().forEach(function (entry) {
        var range = null;
        if (entry.type === "insert") {
          range = writer.createRange(entry.position, entry.position.getShiftedBy(entry.length));
        } else if (entry.type === "attribute" && entry.attributeKey === "linkHref") {
          range = entry.range;
        }
        if (!range) return;
        Array.from(range.getItems()).forEach(function (item) {
          if (item.hasAttribute("linkHref") && !isSafeHref(item.getAttribute("linkHref"))) unsafe.push(item);
        });
      });
      unsafe.forEach(function (item) { writer.removeAttribute("linkHref", item); });
      return unsafe.length > 0;
    });
  };

  /* The data (getData, the textarea, autosave) carries neither CKEditor's list-item ids (data-list-item-id,
     for its collaboration features) nor the aspect-ratio style it derives from an image's width and height:
     the server keeps neither, and the editor restores both when it loads the data again. Nor empty captions. */
  XinzhiEditorRules.prototype.plainData = function () {
    var editor = this.editor;
    // DataController#get is decorated: a listener may change its arguments (ObservableMixin#decorate).
    editor.data.on("get", function (evt, args) {
      args[0] = Object.assign({}, args[0], { skipListItemIds: true });
    }, { priority: "high" });
    // An image or table caption switched on and left empty is no caption: CKEditor would write
    // <figcaption>&nbsp;</figcaption>, which the server drops as a blank block. Its converter tests the
    // consumable first, so consuming the insert here writes nothing.
    editor.data.downcastDispatcher.on("insert:caption", function (evt, data, conversionApi) {
      if (data.item.isEmpty && conversionApi.consumable.consume(data.item, evt.name)) evt.stop();
    }, { priority: "high" });
    if (!editor.plugins.has("ImageUtils")) return;
    var imageUtils = editor.plugins.get("ImageUtils");
    function dropAspectRatio(evt, data, conversionApi) {
      var element = conversionApi.mapper.toViewElement(data.item);
      var img = element && imageUtils.findViewImgElement(element);
      if (img && img.hasStyle("aspect-ratio")) conversionApi.writer.removeStyle("aspect-ratio", img);
    }
    // The img's attributes in one order however the image came to be: an upload sets the size before the
    // alternative text, loading the data sets it after; without this a reload would reorder a saved <img>.
    function altBeforeSize(evt, data, conversionApi) {
      var element = conversionApi.mapper.toViewElement(data.item);
      var img = element && imageUtils.findViewImgElement(element);
      if (!img) return;
      ["width", "height"].forEach(function (name) {
        if (!img.hasAttribute(name)) return;
        var value = img.getAttribute(name);
        conversionApi.writer.removeAttribute(name, img);
        conversionApi.writer.setAttribute(name, value, img);
      });
    }
    ["imageBlock", "imageInline"].forEach(function (type) {
      ["width", "height"].forEach(function (attribute) {
        editor.data.downcastDispatcher.on("attribute:" + attribute + ":" + type, dropAspectRatio, { priority: "low" });
      });
      editor.data.downcastDispatcher.on("attribute:alt:" + type, altBeforeSize, { priority: "low" });
    });
  };

  /* Every link in the data carries the rel nh3 adds, written after href as nh3 writes it. Not a link
     decorator: those wrap first, so CKEditor would write rel before href. At low priority the link's own
     <a href> exists, and an attribute element of the same name and priority merges into it (DowncastWriter#wrap). */
  XinzhiEditorRules.prototype.linkRel = function () {
    this.editor.data.downcastDispatcher.on("attribute:linkHref", function (evt, data, conversionApi) {
      if (!data.attributeNewValue || !data.item.is("$textProxy")) return;
      var writer = conversionApi.writer;
      var rel = writer.createAttributeElement("a", { rel: LINK_REL }, { priority: 5 });
      writer.wrap(conversionApi.mapper.toViewRange(data.range), rel);
    }, { priority: "low" });
  };

  /* CKEditor labels the image and the table caption buttons with one message, "Toggle caption on", which its
     Chinese translation renders as 打开表标题; the image button gets its own words. */
  XinzhiEditorRules.prototype.imageCaptionLabel = function () {
    var editor = this.editor;
    var factory = editor.ui.componentFactory;
    var create = factory.create.bind(factory);
    factory.create = function (name) {
      var view = create(name);
      var command = editor.commands.get("toggleImageCaption");
      if (String(name).toLowerCase() === "toggleimagecaption" && command) {
        view.unbind("label");
        view.bind("label").to(command, "value", function (on) {
          return on ? gettext("移除图片标题") : gettext("添加图片标题");
        });
      }
      return view;
    };
  };

  window.XinzhiEditorRules = XinzhiEditorRules;
})();
