// Progressive enhancement of the search page: suggestions for the search box while typing.
// Without this script the page works the same; the datalist then simply stays empty.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) return;
  var url = input.getAttribute("data-suggest");
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch(url + "?q=" + encodeURIComponent(q) + "&limit=8", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          while (list.firstChild) list.removeChild(list.firstChild);
          (data.suggestions || []).forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.text;  // a property, never markup
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a nicety; the form still works */ });
    }, 200);
  });
})();

// Filters apply as they change. The whole page is sent again as a plain GET, so the address
// stays shareable and the page the same as without JavaScript; focus returns to the control
// that was changed, so a keyboard user carries on where they were.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var filters = form && form.querySelector("details.filters");
  if (!filters) return;
  var KEY = "bildungsraum-focus";
  if (window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) filters.open = true;
  try {
    var id = window.sessionStorage.getItem(KEY);
    window.sessionStorage.removeItem(KEY);
    var back = id && document.getElementById(id);
    if (back) { filters.open = true; back.focus(); }
  } catch (e) { /* storage may be off; focus then starts at the top as usual */ }
  function send(control) {
    try { window.sessionStorage.setItem(KEY, control.id); } catch (e) { /* see above */ }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  // A closed list (sort, radius …) changes its value with every arrow key in some browsers,
  // each change a new page: keys choose, Enter or leaving the list applies (WCAG 3.2.2, no
  // change of context on input). A choice made in the opened list applies at once.
  var keyed = null;
  var before = "";
  filters.addEventListener("focusin", function (event) {
    if (event.target.tagName === "SELECT") { keyed = null; before = event.target.value; }
  });
  filters.addEventListener("keydown", function (event) {
    var control = event.target;
    if (control.tagName !== "SELECT") return;
    if (event.key === "Enter") {
      if (keyed === control && control.value !== before) { event.preventDefault(); keyed = null; send(control); }
      return;
    }
    if (event.key.length === 1 || /^(Arrow|Page|Home|End)/.test(event.key)) keyed = control;
  });
  filters.addEventListener("focusout", function (event) {
    var control = event.target;
    if (control === keyed) { keyed = null; if (control.value !== before) send(control); }
  });
  filters.addEventListener("change", function (event) {
    var control = event.target;
    if (!control.name || (control.checkValidity && !control.checkValidity())) return;
    if (control === keyed) return;  // applied on Enter or when the list is left
    // A date being typed is valid after its year's first digit (0002-…): wait for a real one.
    if (control.type === "date" && control.value && control.value < "1900") return;
    send(control);
  });
})();
