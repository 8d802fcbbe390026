/* The newsroom's rules inside CKEditor 5: what the editor holds is what the server keeps (editorial/sanitize.py),
   so a writer sees after a paste exactly what will be saved, and what the editor writes comes back unchanged.

   Loaded by the rich-text widget's media (editorial.forms.RichTextWidget) right after CKEditor's bundle, and
   added to every editor as a plugin: settings.CKEDITOR_5_CONFIGS names it in `extraPlugins` as
   "callback:XinzhiEditorRules", which django-ckeditor-5 resolves to this global. A plugin, not a
   ckeditorRegisterCallback callback: its converters must be in place before the editor loads its data, and
   the newsroom's scripts share that API through Newsroom.onEditor, which runs after the data is loaded.

   What the configuration alone cannot do, and this plugin does (CKEditor 5 API: conversion and post-fixers,
   https://ckeditor.com/docs/ckeditor5/latest/framework/deep-dive/conversion/intro.html):
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
  // editorial.sanitize.ALLOWED_URL_SCHEMES, plus addresses without a scheme (relative), which nh3 keeps.
  var SAFE_PROTOCOLS = ["http:", "https:", "mailto:"];
  // The rel nh3 adds to every link (sanitize.py, link_rel).
  var LINK_REL = "noopener noreferrer";

  /* Whether the server keeps `href`: parsed as the browser parses it (tabs and newlines inside and controls
     around removed), so java&#x09;script: is seen for what it is. */
  function isSafeHref(href) {
    if (typeof href !== "string" || !href.trim()) return false;
    try {
      return SAFE_PROTOCOLS.indexOf(new URL(href, "https://relative.invalid/").protocol) !== -1;
    } catch (error) {
      return false;
    }
  }

  function XinzhiEditorRules(editor) {
    this.editor = editor;
  }

  XinzhiEditorRules.pluginName = "XinzhiEditorRules";

  XinzhiEditorRules.prototype.init = function () {
    this.dropRawTextElements();
    this.unlinkUnsafeAddresses();
    this.plainData();
    this.linkRel();
    this.imageCaptionLabel();
  };

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
