/* Bildungsraum iframe embed, on the host page after the iframe:
     <iframe src="https://…/p/<portal>/embed" title="Weiterbildung suchen" data-bildungsraum></iframe>
     <script src="https://…/static/embed-host.js" async></script>
   Sizes every such iframe to its content's height. Accepts messages only from the origin this
   script came from and only from those iframes; takes nothing from them but a number. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, document.baseURI).origin;
  function frames() {
    return Array.prototype.filter.call(document.querySelectorAll("iframe[data-bildungsraum]"), function (f) {
      try { return new URL(f.src, document.baseURI).origin === origin; } catch (e) { return false; }
    });
  }
  frames().forEach(function (f) {
    f.style.width = "100%";
    f.style.border = "0";
    if (!f.style.height) f.style.height = "40rem";
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.bildungsraum !== "height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height < 50 || height > 50000) return;
    frames().forEach(function (f) {
      if (f.contentWindow === event.source) f.style.height = Math.ceil(height) + "px";
    });
  });
})();
