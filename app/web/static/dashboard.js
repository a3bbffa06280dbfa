/* The bureau's and stations' dashboard: live figures from the stats API, the heat map, follow-ups,
   charter batches and subsidies, each downloadable as Excel. A station's key sees only its own people:
   the API counts every figure over the key's own seekers, and says so (filters.station_id); the posts
   and the subsidies, which are about employers, answer only the bureau. */
(function () {
  "use strict";
  var t = JM.t, h = JM.h;
  var KEY = "jm.dashboard.key";
  var state = { key: sessionStorage.getItem(KEY), role: null, heat: null, geo: null };
  var $ = function (id) { return document.getElementById(id); };
  var api = function (path) { return JM.api(path, state.key); };

  function fail(box, error) {
    box.replaceChildren(h("p", { class: "hint" }, error instanceof JM.ApiError ? error.message : t("error.network")));
  }

  function figure(name, value, label) {
    return h("div", { class: "figure", dataset: { figure: name } }, h("b", null, value == null ? "–" : value), h("span", null, label));
  }

  function table(node, headers, rows) {
    node.replaceChildren(h("thead", null, h("tr", null, headers.map(function (x) { return h("th", null, x); }))),
      h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: headers.length, class: "hint" }, t("dash.none")))));
    node.hidden = false;
  }

  function cell(value, numeric) { return h("td", numeric ? { class: "n" } : null, value == null ? "" : value); }

  // ---- signing in ---------------------------------------------------------------------------------
  function signIn(key) {
    state.key = key;
    $("message").textContent = t("loading");
    // The figures answer 401 to an unknown key and 403 to an employer's or a seeker's, and say whose they count.
    api("/api/v1/stats/employment").then(function (employment) {
      return [employment.filters.station_id == null ? "admin" : "station", employment];
    }).then(function (found) {
      sessionStorage.setItem(KEY, key);
      state.role = found[0];
      $("message").textContent = "";
      $("signin").hidden = true;
      $("who").hidden = false;
      var admin = state.role === "admin";
      $("role").textContent = t(admin ? "dash.role_admin" : "dash.role_station");
      $("board").hidden = false;
      $("station-note").hidden = state.role === "admin";
      document.querySelectorAll(".bureau-only").forEach(function (s) { s.hidden = state.role !== "admin"; });
      load(found[1]);
    }, function (error) {
      state.key = null;
      sessionStorage.removeItem(KEY);
      $("message").textContent = error instanceof JM.ApiError ? t(error.status === 403 ? "dash.wrong_role" : "dash.bad_key") : t("error.network");
    });
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    location.reload();
  }

  function load(employment) {
    showEmployment(employment);
    loadFunnel();
    loadMap();
    loadMonthly();
    loadFollowUps();
    loadBatches();
    if (state.role !== "admin") return;
    loadPosts();
    loadSubsidies();
  }

  // ---- the article's figures ------------------------------------------------------------------------
  function showEmployment(data) {
    var total = data.rows.filter(function (r) { return r.level === "total"; })[0] || {};
    $("cards").replaceChildren(
      figure("registered", total.registered, t("fig.registered")),
      figure("registered_poor", total.registered_poor, t("fig.registered_poor")),
      figure("employed", total.employed, t("fig.employed")),
      figure("stable", total.stable, t("fig.stable")),
      figure("stable_long", total.stable_long, t("fig.stable_long")),
      figure("stable_cumulative", total.stable_cumulative, t("fig.stable_cumulative")));
    var rows = data.rows.filter(function (r) { return r.level === "prefecture"; }).map(function (r) {
      return h("tr", { dataset: { code: r.code } }, cell(r.name), cell(r.registered, 1), cell(r.registered_poor, 1),
        cell(r.employed, 1), cell(r.stable, 1), cell(r.stable_cumulative, 1));
    });
    table($("by-prefecture"), [t("fig.prefecture"), t("fig.registered"), t("fig.registered_poor"), t("fig.employed"),
      t("fig.stable"), t("fig.stable_cumulative")], rows);
  }

  function loadPosts() {
    api("/api/v1/stats/posts").then(function (data) {
      var s = data.rows.filter(function (r) { return r.district_code === ""; })[0] || {};
      var family = function (what) { return (s["couple_" + what] || 0) + (s["father_son_" + what] || 0) + (s["brothers_" + what] || 0); };
      $("post-cards").replaceChildren(
        figure("caring_opened", s.caring_opened, t("posts.caring_opened")),
        figure("caring_filled", s.caring_filled, t("posts.caring_filled")),
        figure("family_opened", family("opened"), t("posts.family_opened")),
        figure("family_filled", family("filled"), t("posts.family_filled")),
        figure("dormitories_used", s.dormitories_used, t("posts.dormitories_used")));
    }, function (error) { fail($("post-cards"), error); });
  }

  function loadFunnel() {
    api("/api/v1/stats/funnel").then(function (data) {
      JMCharts.funnel($("funnel"), data.rows);
    }, function (error) { fail($("funnel-panel"), error); });
  }

  // ---- the heat map -------------------------------------------------------------------------------
  function loadMap() {
    var url = $("map").dataset.outline;
    if (!url) { $("map-legend").textContent = t("map.no_outline"); }
    Promise.all([url ? JMMap.loadOutline(url) : Promise.resolve({ features: [] }), api("/api/v1/stats/heatmap")])
      .then(function (res) {
        state.geo = res[0];
        state.heat = res[1];
        drawMap();
      }, function (error) { fail($("map-legend"), error); });
  }

  function drawMap() {
    var weight = document.querySelector("input[name=weight]:checked").value;
    var n = JMMap.draw($("map"), $("map-tip"), state.geo, state.heat, weight, $("map-zoom").checked);
    if (state.geo.features.length) $("map-legend").textContent = t("map.legend", { n: n, as_of: state.heat.as_of });
  }

  // ---- month by month: arrivals, departures, reaching 90 days (China's calendar months, server-side) ----
  function loadMonthly() {
    api("/api/v1/stats/monthly?months=12").then(function (data) {
      JMCharts.trend($("trend"), data.rows);
    }, function (error) { fail($("trend-panel"), error); });
  }

  // ---- lists: follow-ups, charter batches, subsidies -------------------------------------------------
  function urgency(code) {
    var names = { overdue: t("follow.overdue"), due: t("follow.due"), left: t("follow.left") };
    return h("span", { class: code === "overdue" ? "urgent" : "" }, names[code] || code);
  }

  function loadFollowUps() {
    api("/api/v1/follow-ups").then(function (items) {
      table($("follow-ups"), [t("follow.urgency"), t("follow.name"), t("follow.phone"), t("follow.employer"),
        t("follow.job"), t("follow.arrived"), t("follow.checkpoint"), t("follow.due_on"), t("follow.late"),
        t("follow.reason")], items.slice(0, 200).map(function (f) {
        return h("tr", { dataset: { placement: f.placement_id } }, h("td", null, urgency(f.urgency)), cell(f.seeker_name),
          cell(f.phone), cell(f.employer_name), cell(f.vacancy_title), cell(JM.day(f.arrived_on)),
          cell(f.checkpoint_day != null ? t("follow.day", { n: f.checkpoint_day }) : ""), cell(JM.day(f.due_on)),
          cell(f.days_overdue || "", 1), cell(f.left_reason || ""));
      }));
    }, function (error) { fail($("follow-ups"), error); });
  }

  function mode(code) {
    var names = { bus: t("batch.bus"), train: t("batch.train"), flight: t("batch.flight") };
    return names[code] || code;
  }

  function batchStatus(code) {
    var names = { planned: t("batch.planned"), departed: t("batch.departed"), arrived: t("batch.arrived") };
    return names[code] || code;
  }

  function loadBatches() {
    api("/api/v1/transport-batches?limit=200").then(function (page) {
      table($("batches"), [t("batch.id"), t("batch.mode"), t("batch.to"), t("batch.depart"), t("batch.seats"),
        t("batch.status"), t("batch.manifest")], page.items.slice().reverse().map(function (b) {
        return h("tr", { dataset: { batch: b.id } }, cell(b.id, 1), cell(mode(b.mode)), cell(b.district_name || b.district_code),
          cell(JM.day(b.depart_on)), cell(b.seats_taken + " / " + b.capacity, 1), cell(batchStatus(b.status)),
          h("td", null, h("button", { class: "xlsx", dataset: { download: "/api/v1/transport-batches/" + b.id + "/manifest?format=xlsx" } }, t("dash.excel"))));
      }));
    }, function (error) { fail($("batches"), error); });
  }

  function loadSubsidies() {
    api("/api/v1/subsidies").then(function (report) {
      $("subsidy-notice").textContent = report.notice + " " + t("subsidy.period", { start: report.period_start, end: report.period_end });
      var rows = report.employers.map(function (e) {
        return h("tr", { dataset: { employer: e.employer_id } }, cell(e.employer_name), cell(e.credit_code),
          cell(e.workers.length, 1), cell(e.total_amount, 1));
      });
      rows.push(h("tr", null, h("th", null, t("subsidy.total")), cell(""), cell(""), cell(report.total_amount, 1)));
      table($("subsidies"), [t("subsidy.employer"), t("subsidy.credit_code"), t("subsidy.workers"), t("subsidy.amount")], rows);
    }, function (error) { fail($("subsidies"), error); });
  }

  // ---- start --------------------------------------------------------------------------------------
  JM.applyI18n(document);
  $("signin").addEventListener("submit", function (event) { event.preventDefault(); signIn($("key").value.trim()); });
  $("signout").addEventListener("click", signOut);
  $("map-switch").addEventListener("change", function () { if (state.heat) drawMap(); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-download]");
    if (!button || !state.key) return;
    button.disabled = true;
    JM.download(button.dataset.download, state.key).catch(function () { alert(t("dash.download_failed")); })
      .then(function () { button.disabled = false; });
  });
  if (state.key) signIn(state.key);
})();
