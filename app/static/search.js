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
  filters.addEventListener("change", function (event) {
    var control = event.target;
    if (!control.name || (control.checkValidity && !control.checkValidity())) return;
    // A date being typed is valid after its year's first digit (0002-…): wait for a real one.
    if (control.type === "date" && control.value && control.value < "1900") return;
    try { window.sessionStorage.setItem(KEY, control.id); } catch (e) { /* see above */ }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})();
