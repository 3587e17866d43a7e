// Progressive enhancement of the search and offer pages: share link, watch list (Merkliste,
// kept in this browser's localStorage only: no account, nothing sent to the server) and the
// map toggle. Without this script none of these controls appear and the pages work as before.
// Everything shown is built with textContent, never innerHTML.
(function () {
  "use strict";
  var box = document.getElementById("follow");
  if (!box) return;
  var T = {};
  try { T = JSON.parse(box.getAttribute("data-texts") || "{}"); } catch (e) { return; }
  var slug = box.getAttribute("data-slug") || "";
  var KEY = "bildungsraum:merkliste:" + slug;
  var MAX = 200;
  // The page's language (German, the default, is left out of links).
  var lang = document.documentElement.lang || "de";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  // --- watch list storage -----------------------------------------------------------------
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function load() {
    var store = storage();
    if (!store) return [];
    var items;
    try { items = JSON.parse(store.getItem(KEY) || "[]"); } catch (e) { return []; }
    if (!Array.isArray(items)) return [];
    // Only what this script writes: a positive integer id and a text title.
    return items.filter(function (i) {
      return i && typeof i.id === "number" && i.id > 0 && Math.floor(i.id) === i.id &&
        typeof i.title === "string";
    }).slice(0, MAX);
  }
  function save(items) {
    var store = storage();
    if (!store) return false;
    try { store.setItem(KEY, JSON.stringify(items.slice(0, MAX))); return true; } catch (e) { return false; }
  }
  function kept(id) {
    return load().some(function (i) { return i.id === id; });
  }
  function offerUrl(id) {
    return "/p/" + encodeURIComponent(slug) + "/angebote/" + id + (lang === "de" ? "" : "?lang=" + lang);
  }

  var status = el("p", "follow-status");
  status.setAttribute("role", "status");
  function say(text) { status.textContent = text; }

  // --- watch list panel -------------------------------------------------------------------
  var toolbar = el("div", "follow-tools");
  var openButton = el("button", "watch-open");
  openButton.type = "button";
  openButton.setAttribute("aria-expanded", "false");
  openButton.setAttribute("aria-controls", "watch-panel");
  var panel = el("section", "watch-panel");
  panel.id = "watch-panel";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "watch-h");
  panel.tabIndex = -1;

  function renderOpenButton() {
    openButton.textContent = T.open + " (" + load().length + ")";
  }
  function renderPanel() {
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    var h = el("h2", null, T.heading);
    h.id = "watch-h";
    panel.appendChild(h);
    var items = load();
    if (!items.length) panel.appendChild(el("p", null, T.empty));
    var list = el("ul", "watch-list");
    items.forEach(function (item) {
      var li = el("li");
      var a = el("a", null, item.title);
      a.href = offerUrl(item.id);
      var remove = el("button", "watch-remove", T["delete"]);
      remove.type = "button";
      remove.setAttribute("aria-label", T["delete"] + ": " + item.title);
      remove.addEventListener("click", function () {
        save(load().filter(function (i) { return i.id !== item.id; }));
        refresh();
        say(T.removed);
        openButton.focus();
      });
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
    if (items.length) panel.appendChild(list);
    panel.appendChild(el("p", "hint", T.note));
  }
  openButton.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    openButton.setAttribute("aria-expanded", String(open));
    if (open) { renderPanel(); panel.focus(); }
  });

  var toggles = [];
  function keepButton(id, title) {
    var b = el("button", "watch-toggle", T.add);
    b.type = "button";
    b.setAttribute("aria-label", T.add + ": " + title);
    b.addEventListener("click", function () {
      var items = load().filter(function (i) { return i.id !== id; });
      var now = !kept(id);
      if (now) items.unshift({ id: id, title: title });
      if (!save(items)) { say(T.shareFailed); return; }
      refresh();
      say(now ? T.added : T.removed);
    });
    toggles.push({ button: b, id: id });
    return b;
  }
  function refresh() {
    toggles.forEach(function (t) { t.button.setAttribute("aria-pressed", String(kept(t.id))); });
    renderOpenButton();
    if (!panel.hidden) renderPanel();
  }

  // --- share ------------------------------------------------------------------------------
  var share = el("button", "share", T.share);
  share.type = "button";
  share.addEventListener("click", function () {
    var url = window.location.href;
    if (navigator.share) {
      navigator.share({ title: document.title, url: url }).catch(function () {});
    } else if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { say(T.copied); }, function () { say(T.shareFailed); });
    } else {
      say(T.shareFailed);
    }
  });

  if (storage()) toolbar.appendChild(openButton);
  toolbar.appendChild(share);
  box.appendChild(toolbar);
  box.appendChild(status);
  box.appendChild(panel);

  // --- keep buttons: one per hit, or the offer of an offer page ---------------------------
  if (storage()) {
    var offerId = parseInt(box.getAttribute("data-offer-id") || "", 10);
    if (offerId > 0) {
      toolbar.insertBefore(keepButton(offerId, box.getAttribute("data-offer-title") || ""), openButton);
    }
    var pattern = /\/angebote\/(\d+)(?:\?|$)/;
    Array.prototype.forEach.call(document.querySelectorAll(".hit article"), function (article) {
      var link = article.querySelector("h3 a");
      var m = link && pattern.exec(link.getAttribute("href") || "");
      if (!m) return;
      var p = el("p", "keep");
      p.appendChild(keepButton(parseInt(m[1], 10), link.textContent.trim()));
      article.appendChild(p);
    });
  }
  refresh();

  // --- map toggle: a link to the map view of the same search ------------------------------
  var mapUrl = box.getAttribute("data-map-url");
  var heading = document.getElementById("results-h");
  if (mapUrl && heading) {
    var p = el("p", "map-toggle");
    var a = el("a", null, T.map);
    a.href = mapUrl;
    p.appendChild(a);
    heading.parentNode.insertBefore(p, heading.nextSibling);
  }
})();
