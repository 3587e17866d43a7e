// The map view: markers for the search's hits, grouped when dense (Leaflet.markercluster).
// Each marker is a link with the offer's title, reachable by Tab; a group is a button that
// zooms in (or fans out markers at one place). Popups are built with textContent only; the
// list under the map holds the same offers for anyone the map does not serve.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!box || !window.L || !window.fetch) return;
  var T = {};
  try { T = JSON.parse(box.getAttribute("data-texts") || "{}"); } catch (e) { return; }
  status.textContent = T.loading;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  var map = L.map(box, { attributionControl: false, zoomControl: false, scrollWheelZoom: false });
  L.control.zoom({ zoomInTitle: T.zoomIn, zoomOutTitle: T.zoomOut }).addTo(map);
  L.tileLayer(box.getAttribute("data-tiles"), { maxZoom: 18, subdomains: "abc" }).addTo(map);

  function popupFor(m, texts) {
    var node = el("div", "map-popup");
    var h = el("h3");
    var a = el("a", null, m.title);
    a.href = m.url;
    h.appendChild(a);
    node.appendChild(h);
    node.appendChild(el("p", null, [m.provider, m.place].filter(Boolean).join(" · ")));
    if (m.start) node.appendChild(el("p", null, texts.start + " " + m.start));
    if (m.approximate) node.appendChild(el("p", null, texts.approximate));
    return node;
  }

  function render(data) {
    var texts = data.texts || {};
    var group = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      zoomToBoundsOnClick: true,
      iconCreateFunction: function (cluster) {
        var n = cluster.getChildCount();
        var node = el("span");
        var count = el("span", "count", n);
        count.setAttribute("aria-hidden", "true");
        node.appendChild(count);
        node.appendChild(el("span", "visually-hidden", String(texts.cluster || "{n}").replace("{n}", n)));
        return L.divIcon({ html: node, className: "map-cluster", iconSize: L.point(40, 40) });
      }
    });
    var bounds = [];
    (data.markers || []).forEach(function (m) {
      if (typeof m.lat !== "number" || typeof m.lon !== "number") return;
      var link = el("a", m.approximate ? "map-marker approximate" : "map-marker");
      link.href = m.url;
      link.appendChild(el("span", "visually-hidden", m.title));
      var marker = L.marker([m.lat, m.lon], {
        // The link inside is what takes focus: the icon itself gets no role and no tab stop.
        keyboard: false,
        icon: L.divIcon({ html: link, className: "map-pin", iconSize: [28, 36], iconAnchor: [14, 34] })
      });
      L.DomEvent.on(link, "click", function (event) {
        // A click shows the details first; the popup's own link opens the offer.
        L.DomEvent.stop(event);
        var content = popupFor(m, texts);
        var popup = L.popup({ offset: [0, -28], autoPanPadding: [20, 20] })
          .setLatLng([m.lat, m.lon]).setContent(content).openOn(map);
        // Leaflet names its close button in English only.
        var close = popup.getElement() && popup.getElement().querySelector(".leaflet-popup-close-button");
        if (close) { close.setAttribute("aria-label", T.close); close.title = T.close; }
        var target = content.querySelector("a");
        if (target) target.focus();
      });
      group.addLayer(marker);
      bounds.push([m.lat, m.lon]);
    });
    map.addLayer(group);
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
    else map.setView([51.2, 10.4], 6);

    // Keyboard: Enter or Space on a group opens it like a click, then focus goes to the
    // first marker it revealed.
    var pending = false;
    function focusFirst() {
      if (!pending) return;
      pending = false;
      var first = box.querySelector(".leaflet-marker-pane .map-marker, .leaflet-marker-pane .map-cluster");
      if (first) first.focus();
    }
    group.on("animationend", focusFirst);
    group.on("spiderfied", focusFirst);
    box.addEventListener("keydown", function (event) {
      var target = event.target;
      if (!(event.key === "Enter" || event.key === " ") || !target.classList ||
          !target.classList.contains("map-cluster")) return;
      event.preventDefault();
      // The cluster group keeps its visible markers and groups in _featureGroup; it offers no
      // public way from an icon element to its group.
      var layers = group._featureGroup ? group._featureGroup.getLayers() : [];
      layers.forEach(function (layer) {
        if (layer._icon !== target || !layer.getAllChildMarkers) return;
        pending = true;
        var b = layer.getBounds();
        if (b.getNorthEast().equals(b.getSouthWest()) || map.getZoom() >= map.getMaxZoom()) layer.spiderfy();
        else layer.zoomToBounds({ padding: [30, 30] });
      });
    });
    status.textContent = "";
  }

  fetch(box.getAttribute("data-source"), { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
    .then(render)
    .catch(function () { status.textContent = T.failed; });
})();
