/* Bildungsraum search widget: <script src="https://…/widget/<portal>.js" async></script>.
   No framework, talks only to the origin it was loaded from, and never puts API text into
   innerHTML: everything is textContent, the <mark> snippet is rebuilt node by node. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var src = new URL(script.src, document.baseURI);
  var match = /\/widget\/([a-z0-9-]+)\.js$/.exec(src.pathname);
  if (!match) return;
  var origin = src.origin;
  var slug = match[1];
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "de";
  var T = {
    de: { label: "Weiterbildung suchen", button: "Suchen", found: " Angebote gefunden",
          one: "1 Angebot gefunden", none: "Leider nichts gefunden.", error: "Die Suche ist gerade nicht erreichbar.",
          start: "Beginn: ", flexible: "Einstieg jederzeit", also: "auch angeboten von ", onRequest: "Preis auf Anfrage", free: "kostenlos",
          loading: "Suche läuft …", more: "Alle Ergebnisse ansehen" },
    en: { label: "Search further education", button: "Search", found: " offers found",
          one: "1 offer found", none: "Sorry, nothing found.", error: "Search is not available right now.",
          start: "Starts: ", flexible: "start any time", also: "also offered by ", onRequest: "Price on request", free: "free of charge",
          loading: "Searching …", more: "See all results" }
  }[lang];
  var uid = "br-" + slug + "-" + Math.random().toString(36).slice(2, 8);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  // The API marks matches with <mark> in otherwise escaped text. Parse it inertly (DOMParser
  // runs no scripts and loads nothing) and keep only text and <mark> elements.
  function snippetNodes(html) {
    var out = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<body>" + String(html) + "</body>", "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") out.appendChild(el("mark", null, node.textContent));
      else out.appendChild(document.createTextNode(node.textContent || ""));
    });
    return out;
  }

  function price(value) {
    if (value === null || value === undefined) return T.onRequest;
    var n = Number(value);
    if (n === 0) return T.free;
    return n.toLocaleString(lang === "de" ? "de-DE" : "en-GB", { style: "currency", currency: "EUR" });
  }

  function day(iso) {
    if (!iso) return "";
    var p = String(iso).split("-");
    return lang === "de" ? p[2] + "." + p[1] + "." + p[0] : iso;
  }

  var style = el("style", null,
    "." + uid + "{font:inherit;max-width:40rem}" +
    "." + uid + " form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}" +
    "." + uid + " label{display:block;font-weight:600;width:100%}" +
    "." + uid + " input{font:inherit;padding:.5rem;border:2px solid #595959;border-radius:4px;flex:1 1 12rem}" +
    "." + uid + " button{font:inherit;font-weight:600;padding:.5rem 1rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;border-radius:4px;cursor:pointer}" +
    "." + uid + " :focus-visible{outline:3px solid #b34700;outline-offset:2px}" +
    "." + uid + " ol{list-style:none;padding:0;margin:.5rem 0}" +
    "." + uid + " li{border-top:1px solid #ccc;padding:.6rem 0}" +
    "." + uid + " h3{font-size:1.05em;margin:0}" +
    "." + uid + " a{color:#0b4f9c}" +
    "." + uid + " p{margin:.2rem 0}" +
    "." + uid + " .br-meta{color:#4a4a4a}" +
    "." + uid + " mark{background:#ffe45c;color:#1b1b1b}");

  var root = el("section", uid);
  root.setAttribute("aria-label", T.label);
  var form = el("form");
  form.setAttribute("role", "search");
  var label = el("label", null, T.label);
  label.htmlFor = uid + "-q";
  var input = el("input");
  input.type = "search";
  input.id = uid + "-q";
  input.name = "q";
  input.autocomplete = "off";
  var button = el("button", null, T.button);
  button.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(button);
  var status = el("p", "br-status");
  status.setAttribute("role", "status");
  var list = el("ol");
  var more = el("p");
  root.appendChild(style);
  root.appendChild(form);
  root.appendChild(status);
  root.appendChild(list);
  root.appendChild(more);

  var target = document.getElementById("bildungsraum-" + slug);
  if (target) target.appendChild(root);
  else script.parentNode.insertBefore(root, script.nextSibling);

  function pageUrl(path, q) {
    var url = new URL(path, origin);
    if (q) url.searchParams.set("q", q);
    if (lang !== "de") url.searchParams.set("lang", lang);
    return url.href;
  }

  function render(data, q) {
    while (list.firstChild) list.removeChild(list.firstChild);
    while (more.firstChild) more.removeChild(more.firstChild);
    var total = data.total || 0;
    status.textContent = total === 0 ? T.none : total === 1 ? T.one : total + T.found;
    (data.hits || []).forEach(function (hit) {
      var item = el("li");
      var h = el("h3");
      var a = el("a");
      a.href = pageUrl("/p/" + slug + "/angebote/" + encodeURIComponent(hit.id));
      a.appendChild(snippetNodes(hit.title_html != null ? hit.title_html : hit.title));
      h.appendChild(a);
      item.appendChild(h);
      item.appendChild(el("p", "br-meta", [hit.provider, hit.city].filter(Boolean).join(" · ")));
      if (hit.also_offered_by && hit.also_offered_by.length) {
        item.appendChild(el("p", "br-meta", T.also + hit.also_offered_by.join(", ")));
      }
      var snippet = el("p");
      snippet.appendChild(snippetNodes(hit.snippet || ""));
      item.appendChild(snippet);
      var when = hit.next_start ? T.start + day(hit.next_start) : hit.flexible_start ? T.flexible : "";
      item.appendChild(el("p", "br-meta", [when, price(hit.price)].filter(Boolean).join(" · ")));
      list.appendChild(item);
    });
    if (total > (data.hits || []).length) {
      var link = el("a", null, T.more);
      link.href = pageUrl("/p/" + slug + "/", q);
      more.appendChild(link);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value.trim();
    status.textContent = T.loading;
    var url = new URL("/api/v1/portals/" + slug + "/search", origin);
    url.searchParams.set("q", q);
    url.searchParams.set("per_page", "10");
    fetch(url.href, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) { render(data, q); })
      .catch(function () { status.textContent = T.error; });
  });
})();
