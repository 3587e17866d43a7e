// Inside the portal's embed page (/p/<portal>/embed): tells the page that frames it how tall
// the content is, so embed-host.js can size the iframe without a scroll bar. Only a number
// is sent; the host script checks who sent it.
(function () {
  "use strict";
  if (window.parent === window || !window.postMessage) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ bildungsraum: "height", height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();
