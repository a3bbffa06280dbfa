/* The heat map of where workers come from: province outlines (GeoJSON built by `make` from an npm package)
   and a circle at each origin county's seat, its area proportional to the count, the figure on hover. */
(function () {
  "use strict";
  var t = JM.t, el = JMCharts.el, titled = JMCharts.titled;
  var WIDTH = 1000, CHINA = [73, 17, 136, 54];  // lon/lat box of the mainland and Hainan
  var outline = null;

  function loadOutline(url) {
    outline = outline || fetch(url).then(function (r) { return r.json(); });
    return outline;
  }

  /* Equirectangular with longitude shrunk by cos(35°): plain, and good enough at this scale. */
  function projection(box) {
    var k = Math.cos(35 * Math.PI / 180), scale = WIDTH / ((box[2] - box[0]) * k);
    return {
      height: (box[3] - box[1]) * scale,
      px: function (lon, lat) { return [((lon - box[0]) * k * scale).toFixed(1), ((box[3] - lat) * scale).toFixed(1)]; },
      scale: scale,
    };
  }

  function ringPath(ring, p) {
    return "M" + ring.map(function (c) { return p.px(c[0], c[1]).join(","); }).join("L") + "Z";
  }

  function featurePath(geometry, p) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.map(function (poly) { return poly.map(function (r) { return ringPath(r, p); }).join(""); }).join("");
  }

  function weightName(weight) {
    var names = { registered: t("map.registered"), employed: t("map.employed"), stable: t("map.stable") };
    return names[weight];
  }

  function box(heat, zoom) {
    if (!zoom || !heat.features.length) return CHINA;
    var lons = heat.features.map(function (f) { return f.geometry.coordinates[0]; });
    var lats = heat.features.map(function (f) { return f.geometry.coordinates[1]; });
    var b = [Math.min.apply(null, lons) - 3, Math.min.apply(null, lats) - 2, Math.max.apply(null, lons) + 3,
             Math.max.apply(null, lats) + 2];
    var k = Math.cos(35 * Math.PI / 180), w = (b[2] - b[0]) * k, h = b[3] - b[1];
    if (h > w * 0.75) { var extra = (h / 0.75 - w) / k / 2; b[0] -= extra; b[2] += extra; }
    return b;
  }

  /* heat: the stats GeoJSON; weight: registered | employed | stable. */
  function draw(svg, tip, geo, heat, weight, zoom) {
    var p = projection(box(heat, zoom));
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + p.height.toFixed(0));
    svg.replaceChildren();
    var provinces = el("g", { class: "provinces" });
    geo.features.forEach(function (f) {
      provinces.appendChild(titled(el("path", { class: "province", d: featurePath(f.geometry, p), "data-name": f.properties.name }),
        f.properties.name));
    });
    svg.appendChild(provinces);
    var features = heat.features.filter(function (f) { return f.properties[weight] > 0; });
    var max = Math.max.apply(null, features.map(function (f) { return f.properties[weight]; }).concat([1]));
    var marks = el("g", { class: "marks" });
    features.sort(function (a, b) { return b.properties[weight] - a.properties[weight]; }).forEach(function (f) {
      var c = p.px(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      var value = f.properties[weight];
      var text = t("map.tip", { name: f.properties.name, prefecture: f.properties.prefecture || "",
        what: weightName(weight), n: value });
      var mark = el("circle", { class: "mark", cx: c[0], cy: c[1], r: (2.5 + 16 * Math.sqrt(value / max)).toFixed(1),
        "data-code": f.properties.code, "data-value": value, "data-tip": text });
      marks.appendChild(titled(mark, text));
    });
    svg.appendChild(marks);
    svg.onmousemove = function (event) {
      var target = event.target;
      if (!target.classList || !target.classList.contains("mark")) { tip.hidden = true; return; }
      var frame = svg.parentNode.getBoundingClientRect();
      tip.textContent = target.getAttribute("data-tip");
      tip.style.left = (event.clientX - frame.left + 12) + "px";
      tip.style.top = (event.clientY - frame.top + 12) + "px";
      tip.hidden = false;
    };
    svg.onmouseleave = function () { tip.hidden = true; };
    return features.length;
  }

  window.JMMap = { loadOutline: loadOutline, draw: draw };
})();
