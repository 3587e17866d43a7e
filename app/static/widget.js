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
  // The texts of every page language, from the gettext catalogues: the server puts them in
  // place of the marker below (app/services/pages.py, widget_script). The first is German.
  var TEXTS = /*TEXTS*/{"de": {}}/*TEXTS*/;
  var lang = script.getAttribute("data-lang");
  if (!Object.prototype.hasOwnProperty.call(TEXTS, lang)) lang = Object.keys(TEXTS)[0];
  var T = TEXTS[lang];
  var RADII = [5, 10, 25, 50, 100];
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
    return n.toLocaleString(T.locale, { style: "currency", currency: "EUR" });
  }

  function day(iso) {
    if (!iso) return "";
    // Noon UTC: the same calendar day in every time zone of the visitor.
    var d = new Date(String(iso).slice(0, 10) + "T12:00:00Z");
    if (isNaN(d.getTime())) return String(iso);
    return d.toLocaleDateString(T.locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  var style = el("style", null,
    "." + uid + "{font:inherit;max-width:40rem}" +
    "." + uid + " form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}" +
    "." + uid + " label{display:block;font-weight:600}" +
    "." + uid + " .br-f{display:flex;flex-direction:column;flex:1 1 8rem}" +
    "." + uid + " .br-q{flex:1 1 100%}" +
    "." + uid + " input,." + uid + " select{font:inherit;padding:.5rem;border:2px solid #595959;border-radius:4px;background:#fff;color:#1b1b1b}" +
    "." + uid + " .br-out button{background:#fff;color:#0b4f9c;margin:.25rem .5rem .25rem 0}" +
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
  function field(cls, text, control, name) {
    var box = el("div", "br-f " + cls);
    var l = el("label", null, text);
    control.id = uid + "-" + name;
    control.name = name;
    l.htmlFor = control.id;
    box.appendChild(l);
    box.appendChild(control);
    form.appendChild(box);
    return control;
  }
  // The API's limit for q (app/models/search.py): longer words are cut by the browser, and
  // pasted text that still gets through is cut before the search runs again (see run).
  var Q_MAX = 200;
  var input = el("input");
  input.type = "search";
  input.autocomplete = "off";
  input.maxLength = Q_MAX;
  field("br-q", T.q, input, "q");
  var postcode = el("input");
  postcode.type = "text";
  postcode.inputMode = "numeric";
  postcode.maxLength = 5;
  postcode.autocomplete = "postal-code";
  postcode.setAttribute("pattern", "[0-9]{5}");
  field("br-pc", T.postcode, postcode, "postcode");
  var radius = el("select");
  radius.appendChild(el("option", null, T.any)).value = "";
  RADII.forEach(function (r) { radius.appendChild(el("option", null, r + " " + T.km)).value = String(r); });
  field("br-r", T.radius, radius, "radius_km");
  var button = el("button", null, T.button);
  button.type = "submit";
  form.appendChild(button);
  var problem = el("p", "br-problem");
  problem.id = uid + "-problem";
  var status = el("p", "br-status");
  status.setAttribute("role", "status");
  var list = el("ol");
  var more = el("p");
  var out = el("div", "br-out");
  root.appendChild(style);
  root.appendChild(form);
  root.appendChild(problem);
  root.appendChild(status);
  root.appendChild(list);
  root.appendChild(more);
  root.appendChild(out);

  var target = document.getElementById("bildungsraum-" + slug);
  if (target) target.appendChild(root);
  else script.parentNode.insertBefore(root, script.nextSibling);

  function pageUrl(path, q, extra) {
    var url = new URL(path, origin);
    if (q) url.searchParams.set("q", q);
    Object.keys(extra || {}).forEach(function (k) { url.searchParams.set(k, extra[k]); });
    if (lang !== Object.keys(TEXTS)[0]) url.searchParams.set("lang", lang);
    return url.href;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function render(data, q, extra) {
    clear(list);
    clear(more);
    clear(out);
    var total = data.total || 0;
    status.textContent = total === 0 ? T.none : total === 1 ? T.one : T.found.replace("{n}", total.toLocaleString(T.locale));
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
        item.appendChild(el("p", "br-meta", T.also + " " + hit.also_offered_by.join(", ")));
      }
      var snippet = el("p");
      snippet.appendChild(snippetNodes(hit.snippet || ""));
      item.appendChild(snippet);
      var when = hit.next_start ? T.start + ": " + day(hit.next_start) : hit.flexible_start ? T.flexible : "";
      item.appendChild(el("p", "br-meta", [when, price(hit.price)].filter(Boolean).join(" · ")));
      list.appendChild(item);
    });
    if (total > (data.hits || []).length) {
      var link = el("a", null, T.more);
      link.href = pageUrl("/p/" + slug + "/", q, extra);
      more.appendChild(link);
    }
  }

  function ask(q, extra, limit) {
    var url = new URL("/api/v1/portals/" + slug + "/search", origin);
    url.searchParams.set("q", q);
    url.searchParams.set("per_page", String(limit));
    Object.keys(extra).forEach(function (k) { url.searchParams.set(k, extra[k]); });
    return fetch(url.href, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (r) {
        if (r.status === 422) return r.json().then(function (body) { throw { invalid: body }; });
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      });
  }

  // Nothing found: offer the same ways out as the portal's page, each with its count.
  function waysOut(q, extra) {
    var tries = [];
    if (extra.postcode) tries.push([T.wider, { include_online: extra.include_online }]);
    if (!extra.include_online) tries.push([T.online, Object.assign({}, extra, { include_online: "1" })]);
    tries.forEach(function (t) {
      var wanted = {};
      Object.keys(t[1]).forEach(function (k) { if (t[1][k]) wanted[k] = t[1][k]; });
      ask(q, wanted, 1).then(function (data) {
        if (!data.total) return;
        if (!out.firstChild) out.appendChild(el("p", null, T.waysOut));
        var b = el("button", null, t[0] + " (" + data.total + ")");
        b.type = "button";
        b.addEventListener("click", function () {
          if (!wanted.postcode) { postcode.value = ""; radius.value = ""; }
          run(q, wanted);
        });
        out.appendChild(b);
      }).catch(function () {});
    });
  }

  function unmark(control) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }

  function mark(control, text) {
    problem.textContent = text;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", problem.id);
  }

  function run(q, extra) {
    status.textContent = T.loading;
    problem.textContent = "";
    unmark(postcode);
    unmark(input);
    ask(q, extra, 10)
      .then(function (data) {
        render(data, q, extra);
        if (!data.total) waysOut(q, extra);
      })
      .catch(function (err) {
        var invalid = err && err.invalid && err.invalid.error;
        // Not an answer that something is wrong with the request: the service is away.
        if (!invalid) { status.textContent = T.error; return; }
        var details = invalid.details || [];
        var fields = details.map(function (d) { return String((d.loc || []).slice(-1)[0]); });
        if (fields.indexOf("postcode") >= 0 || fields.indexOf("radius_km") >= 0) {
          // Said at the field, and searched again without the place.
          mark(postcode, T.badPostcode);
          var rest = Object.assign({}, extra);
          delete rest.postcode;
          delete rest.radius_km;
          delete rest.radius_any;
          ask(q, rest, 10).then(function (data) { render(data, q, rest); }, function () { status.textContent = T.error; });
          return;
        }
        if (fields.indexOf("q") >= 0 && q.length > Q_MAX) {
          // Pasted past the field's limit: search the first words, and show in the field
          // what was searched.
          var shorter = q.slice(0, Q_MAX).replace(/\s+\S*$/, "").trim() || q.slice(0, Q_MAX);
          input.value = shorter;
          run(shorter, extra);
          return;
        }
        // Anything else the API refused: its own words, at the field it names.
        var at = fields.indexOf("q") >= 0 ? input : null;
        var text = (details[0] && details[0].message) || invalid.message || T.error;
        if (at) mark(at, text);
        else problem.textContent = text;
        clear(list);
        clear(more);
        clear(out);
        status.textContent = "";
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var extra = {};
    var pc = postcode.value.trim();
    if (pc) {
      extra.postcode = pc;
      // "egal" is said, not left out: without a radius the API searches 25 km around.
      if (radius.value) extra.radius_km = radius.value;
      else extra.radius_any = "1";
    }
    run(input.value.trim(), extra);
  });
})();
