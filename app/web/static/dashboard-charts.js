/* Small SVG charts drawn by hand: the funnel and the monthly arrivals, departures and 90-day marks. */
(function () {
  "use strict";
  var t = JM.t, NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function titled(node, text) { node.appendChild(el("title", null, text)); return node; }

  function stepName(step) {
    var names = { pushed: t("funnel.pushed"), read: t("funnel.read"), applied: t("funnel.applied"),
      hired: t("funnel.hired"), arrived: t("funnel.arrived"), stable: t("funnel.stable") };
    return names[step] || step;
  }

  /* Drawn at the size shown, so that text keeps its size on a phone and on a wide screen. */
  function chartWidth(svg) { return Math.max(300, Math.min(960, Math.round(svg.getBoundingClientRect().width || 600))); }

  function percent(value) { return value == null ? "" : (value * 100).toFixed(1) + "%"; }

  /* rows: the funnel API's rows (step, count, conversion). One bar per step, widths relative to the first. */
  function funnel(svg, rows) {
    var width = chartWidth(svg), bar = 26, gap = 10, left = 110;
    var max = Math.max.apply(null, rows.map(function (r) { return r.count; }).concat([1]));
    svg.setAttribute("viewBox", "0 0 " + width + " " + (rows.length * (bar + gap) + gap));
    svg.replaceChildren();
    rows.forEach(function (row, i) {
      var y = gap + i * (bar + gap), w = Math.max(2, (width - left - 130) * row.count / max);
      var g = el("g", { "data-step": row.step, "data-count": row.count });
      g.appendChild(el("text", { x: left - 8, y: y + bar * 0.68, "text-anchor": "end" }, stepName(row.step)));
      g.appendChild(titled(el("rect", { x: left, y: y, width: w, height: bar, fill: "#3d6fa8", rx: 3 }),
        stepName(row.step) + " " + row.count));
      var label = row.count + (i > 0 ? "  " + t("funnel.conversion", { rate: percent(row.conversion) }) : "");
      g.appendChild(el("text", { x: left + w + 6, y: y + bar * 0.68 }, label));
      svg.appendChild(g);
    });
  }

  var SERIES = [{ key: "arrived", color: "#3d6fa8" }, { key: "left", color: "#e07b39" }, { key: "stable", color: "#3a9d5d" }];

  function seriesName(key) {
    var names = { arrived: t("trend.arrived"), left: t("trend.left"), stable: t("trend.stable") };
    return names[key];
  }

  function seriesTip(key, month, n) {
    if (key === "arrived") return t("trend.arrived_tip", { month: month, n: n });
    if (key === "left") return t("trend.left_tip", { month: month, n: n });
    return t("trend.stable_tip", { month: month, n: n });
  }

  /* months: the monthly stats API's rows ({month: "2025-03", arrived, left, stable, …}), oldest first. */
  function trend(svg, months) {
    var width = chartWidth(svg), height = 240, left = 36, bottom = 36, top = 24;
    var max = Math.max.apply(null, months.map(function (m) { return Math.max(m.arrived, m.left, m.stable); }).concat([1]));
    var slot = (width - left - 8) / Math.max(months.length, 1), bw = Math.max(3, slot * 0.25);
    var scale = function (v) { return (height - bottom - top) * v / max; };
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.replaceChildren();
    [0, 0.5, 1].forEach(function (f) {
      var y = height - bottom - scale(max * f);
      svg.appendChild(el("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#ddd" }));
      svg.appendChild(el("text", { x: left - 4, y: y + 4, "text-anchor": "end" }, Math.round(max * f)));
    });
    months.forEach(function (m, i) {
      var x = left + i * slot + slot * 0.12;
      var g = el("g", { "data-month": m.month, "data-arrived": m.arrived, "data-left": m.left, "data-stable": m.stable });
      SERIES.forEach(function (s, k) {
        g.appendChild(titled(el("rect", { x: x + k * bw, y: height - bottom - scale(m[s.key]), width: bw,
          height: scale(m[s.key]), fill: s.color }), seriesTip(s.key, m.month, m[s.key])));
      });
      if (slot >= 40 || i % 2 === months.length % 2) {  // on a phone, every other month
        g.appendChild(el("text", { x: x + bw * 1.5, y: height - bottom + 16, "text-anchor": "middle" }, m.month.slice(2)));
      }
      svg.appendChild(g);
    });
    SERIES.forEach(function (s, k) {
      svg.appendChild(el("rect", { x: left + k * 100, y: 4, width: 12, height: 12, fill: s.color }));
      svg.appendChild(el("text", { x: left + k * 100 + 16, y: 14 }, seriesName(s.key)));
    });
  }

  window.JMCharts = { el: el, titled: titled, funnel: funnel, trend: trend };
})();
