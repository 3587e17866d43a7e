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
