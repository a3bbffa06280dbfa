/* The seeker's app: enrol with the station's code, the jobs pushed to me best first with the reasons,
   new pushes live, a job's details and "I want to go", my applications and work, quiet hours. */
(function () {
  "use strict";
  var t = JM.t, h = JM.h;
  var KEY = "jm.seeker.key", LAST = "jm.seeker.last_event";
  var state = { key: localStorage.getItem(KEY), me: null, jobs: {}, family: [], applications: [], stream: null };
  var $ = function (id) { return document.getElementById(id); };

  function api(path, options) {
    return JM.api(path, state.key, options).then(function (data) {
      showOffline(data && data._cached);
      return data;
    }, function (error) {
      if (error instanceof JM.ApiError && error.status === 401) signOut();
      if (!(error instanceof JM.ApiError)) showOffline(true);
      throw error;
    });
  }

  function showOffline(offline) { $("net").hidden = !offline && navigator.onLine; }

  function toast(text) {
    var box = $("toast");
    box.textContent = text;
    box.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.classList.remove("show"); }, 4000);
  }

  function problem(error) {
    return error instanceof JM.ApiError ? error.message : t("error.network");
  }

  // ---- screens ------------------------------------------------------------------------------------
  var SCREENS = ["enrol", "jobs", "job", "mine", "more"];

  function route() {
    if (!state.key) return show("enrol");
    var parts = location.hash.replace(/^#\/?/, "").split("/");
    var name = SCREENS.indexOf(parts[0]) > 0 ? parts[0] : "jobs";
    show(name);
    if (name === "job") renderJob(Number(parts[1]));
    if (name === "mine") loadMine();
    if (name === "more") loadMore();
  }

  function show(name) {
    SCREENS.forEach(function (s) { $(s).hidden = s !== name; });
    $("tabs").hidden = name === "enrol";
    document.querySelectorAll("#tabs a").forEach(function (a) {
      a.classList.toggle("on", a.getAttribute("href") === "#/" + name);
    });
    window.scrollTo(0, 0);
  }

  // ---- enrolment ----------------------------------------------------------------------------------
  function enrol(event) {
    event.preventDefault();
    var code = $("code").value.trim();
    $("enrol-error").textContent = "";
    JM.api("/api/v1/enrol", null, { method: "POST", body: { code: code } }).then(function (issued) {
      state.key = issued.key;
      localStorage.setItem(KEY, issued.key);
      start();
    }, function (error) {
      $("enrol-error").textContent = error instanceof JM.ApiError ? t("enrol.bad_code") : t("error.network");
    });
  }

  function signOut() {
    if (state.stream) state.stream.abort();
    localStorage.removeItem(KEY);
    localStorage.removeItem(LAST);
    if (window.caches) caches.keys().then(function (names) { names.forEach(function (n) { caches.delete(n); }); });
    state = { key: null, me: null, jobs: {}, family: [], applications: [], stream: null };
    location.hash = "";
    route();
  }

  // ---- the job list -------------------------------------------------------------------------------
  function fromMatch(m) {
    var v = m.vacancy;
    return { id: v.id, title: v.title, employer: v.employer_name, district: v.district_name || v.district_code,
             pay_min: v.pay_min, pay_max: v.pay_max, housing: v.housing, meals: v.meals, caring: v.caring_post,
             family_posts: v.family_posts || {}, dormitory: v.couple_dormitory, score: m.score,
             reasons: m.reasons, parts: m.parts };
  }

  function fromPush(n) {
    var b = n.body || {};
    return { id: n.vacancy_id || b.id, title: b.title, employer: b.employer, district: b.district,
             pay_min: b.pay_min, pay_max: b.pay_max, housing: b.housing, meals: b.meals, caring: b.caring_post,
             family_posts: b.family_posts || {}, dormitory: b.couple_dormitory, score: n.score != null ? n.score : b.score,
             reasons: b.reasons || [], note: n.id, unread: !n.read_at };
  }

  function addJob(job, fresh) {
    var known = state.jobs[job.id];
    if (known) {
      job.note = job.note || known.note;
      job.unread = job.unread || known.unread;
      job.parts = job.parts || known.parts;
      if (!fresh && known.score > job.score) job.score = known.score;
    }
    job.fresh = fresh || (known && known.fresh);
    state.jobs[job.id] = Object.assign({}, known || {}, job);
  }

  function addPush(note, fresh) {
    if (note.kind === "job.match" && (note.vacancy_id || (note.body && note.body.id))) addJob(fromPush(note), fresh);
    else if (note.kind === "family.match" && note.body && note.body.offers) state.family = note.body.offers;
  }

  function loadJobs() {
    return Promise.all([
      api("/api/v1/seekers/" + state.me.id + "/matches?limit=30"),
      api("/api/v1/notifications?limit=50"),
    ]).then(function (results) {
      results[0].forEach(function (m) { addJob(fromMatch(m), false); });
      var notes = results[1].items;
      notes.slice().reverse().forEach(function (n) { addPush(n, false); });
      var newest = notes.length ? notes[0].id : 0;
      if (!localStorage.getItem(LAST) || Number(localStorage.getItem(LAST)) < newest) {
        localStorage.setItem(LAST, String(newest));
      }
      renderJobs();
    }, function (error) { toast(problem(error)); });
  }

  function tags(job) {
    var out = [];
    if (job.housing) out.push(h("span", { class: "tag" }, t("job.housing")));
    if (job.meals) out.push(h("span", { class: "tag" }, t("job.meals")));
    if (job.caring) out.push(h("span", { class: "tag warm" }, t("job.caring")));
    var kinds = { couple: t("family.couple"), father_son: t("family.father_son"), brothers: t("family.brothers") };
    Object.keys(kinds).forEach(function (k) {
      if (job.family_posts[k] > 0) out.push(h("span", { class: "tag warm" }, t("job.family_post", { kind: kinds[k], n: job.family_posts[k] })));
    });
    if (job.dormitory) out.push(h("span", { class: "tag" }, t("job.dormitory")));
    return out;
  }

  function reasons(list, limit) {
    return h("div", { class: "why" }, h("b", null, t("job.why")),
      h("ul", null, (list || []).slice(0, limit || 99).map(function (r) { return h("li", null, r); })));
  }

  function card(job) {
    return h("li", { class: "card" + (job.fresh ? " fresh" : ""), dataset: { vacancy: job.id, score: job.score } },
      h("a", { href: "#/job/" + job.id },
        h("div", { class: "row" }, h("b", { class: "title" }, job.title),
          job.fresh ? h("span", { class: "new" }, t("jobs.new")) : null,
          h("span", { class: "score" }, t("job.score", { score: Math.round(job.score) }))),
        h("div", { class: "who" }, job.employer + " · " + job.district),
        h("div", { class: "pay" }, JM.pay(job.pay_min, job.pay_max)),
        h("div", { class: "tags" }, tags(job)),
        reasons(job.reasons, 3)));
  }

  function renderJobs() {
    var jobs = Object.keys(state.jobs).map(function (id) { return state.jobs[id]; });
    jobs.sort(function (a, b) { return b.score - a.score || b.id - a.id; });
    var list = $("job-list");
    list.replaceChildren.apply(list, jobs.map(card));
    $("jobs-empty").hidden = jobs.length > 0;
    var fam = $("family-offers");
    fam.hidden = !state.family.length;
    fam.replaceChildren(h("h2", null, t("family.offers")), h("p", { class: "hint" }, t("family.offers_hint")),
      h("ul", { class: "cards" }, state.family.map(function (o) {
        var mine = myPlace(o), job = mine && state.jobs[mine.vacancy_id];
        return h("li", { class: "card", dataset: { employer: o.employer_id } }, h("div", { class: "row" }, h("b", null, o.employer),
          h("span", { class: "score" }, t("job.score", { score: Math.round(o.score) }))),
          h("div", { class: "who" }, o.district),
          job ? h("div", null, h("a", { href: "#/job/" + job.id }, t("family.my_job", { title: job.title }))) : null,
          reasons(o.reasons, 3), familyApply(o));
      })));
  }

  // ---- a family applies as one --------------------------------------------------------------------
  /* An offer (from a family.match push) names a vacancy for every member, all at one employer. */
  function myPlace(offer) {
    return (offer.assignment || []).filter(function (a) { return a.seeker_id === state.me.id; })[0];
  }

  function offerFor(vacancyId) {
    return state.family.filter(function (o) {
      var mine = myPlace(o);
      return mine && mine.vacancy_id === vacancyId;
    })[0];
  }

  function familyApply(offer, id) {
    var button = h("button", { class: "go family-apply", id: id, type: "button" }, t("apply.family_button"));
    var note = h("p", { class: "error", role: "alert" });
    button.addEventListener("click", function () {
      button.disabled = true;
      note.textContent = "";
      var members = offer.assignment.map(function (a) { return { seeker_id: a.seeker_id, vacancy_id: a.vacancy_id }; });
      api("/api/v1/applications/family", { method: "POST", body: { family_id: state.me.family_id, members: members } })
        .then(function () {
          toast(t("apply.family_done"));
          location.hash = "#/mine";
        }, function (error) { button.disabled = false; note.textContent = problem(error); });
    });
    return h("div", { class: "apply" }, button, note);
  }

  // ---- one job ------------------------------------------------------------------------------------
  function renderJob(id) {
    var box = $("job"), job = state.jobs[id];
    box.replaceChildren(h("p", { class: "hint" }, t("loading")));
    if (job && job.note && job.unread) {
      job.unread = false;
      api("/api/v1/notifications/" + job.note + "/read", { method: "POST" }).catch(function () {});
    }
    Promise.all([api("/api/v1/vacancies/" + id), loadApplications()]).then(function (res) {
      var v = res[0];
      var mine = state.applications.filter(function (a) { return a.vacancy_id === id; })[0];
      var summary = job || { title: v.title, employer: "", district: v.district_code, pay_min: v.pay_min,
        pay_max: v.pay_max, housing: v.housing, meals: v.meals, caring: v.caring_post,
        family_posts: v.family_posts || {}, score: null, reasons: [] };
      box.replaceChildren(
        h("a", { href: "#/jobs", class: "back" }, t("nav.back")),
        h("h2", null, v.title),
        h("div", { class: "who" }, [summary.employer, summary.district].filter(Boolean).join(" · ")),
        h("div", { class: "pay" }, JM.pay(v.pay_min, v.pay_max)),
        h("div", { class: "tags" }, tags(summary)),
        h("dl", { class: "facts" },
          h("dt", null, t("job.headcount")), h("dd", null, t("job.people", { n: v.headcount - v.hired_count })),
          v.shifts ? [h("dt", null, t("job.shifts")), h("dd", null, v.shifts)] : null,
          v.start_date ? [h("dt", null, t("job.start")), h("dd", null, JM.day(v.start_date))] : null,
          v.certificates.length ? [h("dt", null, t("job.certificates")), h("dd", null, v.certificates.join("、"))] : null,
          h("dt", null, t("job.valid_until")), h("dd", null, JM.day(v.valid_until))),
        v.description ? h("p", { class: "desc" }, v.description) : null,
        summary.score != null ? h("p", { class: "score big" }, t("job.score", { score: Math.round(summary.score) })) : null,
        summary.reasons.length ? reasons(summary.reasons) : null,
        applyBlock(v, mine));
    }, function (error) { box.replaceChildren(h("p", { class: "error" }, problem(error))); });
  }

  function applyBlock(vacancy, mine) {
    if (mine) return h("p", { class: "state" }, t("apply.already", { status: status(mine.status) }));
    var family = state.me.family_id != null, offer = family && offerFor(vacancy.id);
    if (offer) {
      return h("div", null, h("p", { class: "hint family" }, t("apply.family_note", { employer: offer.employer })),
        familyApply(offer, "apply"));
    }
    // Applying alone here would stand in the way of a family application to this vacancy later: say so.
    var button = h("button", { class: "go", id: "apply", type: "button" }, t(family ? "apply.self_button" : "apply.button"));
    var note = h("p", { class: "error", role: "alert" });
    button.addEventListener("click", function () {
      button.disabled = true;
      api("/api/v1/applications", { method: "POST", body: { vacancy_id: vacancy.id } }).then(function () {
        toast(t("apply.done"));
        location.hash = "#/mine";
      }, function (error) { button.disabled = false; note.textContent = problem(error); });
    });
    return h("div", { class: "apply" }, family ? h("p", { class: "hint family" }, t("apply.self_note")) : null, button, note);
  }

  // ---- my applications and my work ---------------------------------------------------------------
  function status(code) {
    var names = { applied: t("status.applied"), shortlisted: t("status.shortlisted"), offered: t("status.offered"),
      hired: t("status.hired"), arrived: t("status.arrived"), rejected: t("status.rejected"),
      withdrawn: t("status.withdrawn"), no_show: t("status.no_show") };
    return names[code] || code;
  }

  function loadApplications() {
    return api("/api/v1/applications?limit=100").then(function (page) {
      state.applications = page.items.slice().reverse();
      return state.applications;
    });
  }

  function loadMine() {
    Promise.all([loadApplications(), api("/api/v1/placements?limit=50")]).then(function (res) {
      var apps = res[0], byId = {};
      apps.forEach(function (a) { byId[a.id] = a; });
      $("app-list").replaceChildren.apply($("app-list"), apps.length ? apps.map(function (a) {
        return h("li", { class: "card", dataset: { application: a.id, status: a.status } },
          h("div", { class: "row" }, h("b", null, a.vacancy_title), h("span", { class: "state " + a.status }, status(a.status))),
          h("div", { class: "who" }, a.employer_name),
          a.start_date ? h("div", null, t("mine.start_date", { date: JM.day(a.start_date) })) : null,
          a.reason ? h("div", { class: "hint" }, a.reason) : null,
          h("div", { class: "hint" }, t("mine.updated", { date: JM.day(a.updated_at) })));
      }) : [h("li", { class: "hint" }, t("mine.no_applications"))]);
      var work = res[1].items;
      $("work-list").replaceChildren.apply($("work-list"), work.length ? work.map(function (p) {
        var a = byId[p.application_id] || {};
        return h("div", { class: "card", dataset: { placement: p.id } },
          h("div", { class: "row" }, h("b", null, a.vacancy_title || ""), h("span", { class: "state" },
            p.status === "left" ? t("work.left") : p.stable ? t("work.stable") : t("work.until_stable", { date: JM.day(p.stable_on) }))),
          h("div", { class: "who" }, a.employer_name || ""),
          h("div", null, t("work.arrived", { date: JM.day(p.arrived_on), days: p.days_employed })),
          h("h3", null, t("work.check_ins")),
          h("ul", null, p.check_ins.length ? p.check_ins.map(function (c) {
            return h("li", null, JM.day(c.checked_on) + " · " + (c.outcome === "left" ? t("work.left") : t("work.employed")) +
              (c.note ? " · " + c.note : ""));
          }) : h("li", { class: "hint" }, t("work.no_check_ins"))));
      }) : [h("p", { class: "hint" }, t("work.none"))]);
    }, function (error) { toast(problem(error)); });
  }

  // ---- more: better matches, quiet hours, language, sign out --------------------------------------
  function loadMore() {
    $("quiet-start").value = state.me.quiet_start;
    $("quiet-end").value = state.me.quiet_end;
    api("/api/v1/seekers/" + state.me.id + "/improvements").then(function (list) {
      $("improve-list").replaceChildren.apply($("improve-list"), list.length ? list.map(function (i) {
        return h("li", null, h("b", null, i.label_zh), " ", t("more.opens", { n: i.added_vacancies }));
      }) : [h("li", { class: "hint" }, t("more.no_improvements"))]);
    }, function (error) { toast(problem(error)); });
  }

  function saveQuiet(event) {
    event.preventDefault();
    var body = { quiet_start: $("quiet-start").value, quiet_end: $("quiet-end").value };
    api("/api/v1/me", { method: "PATCH", body: body }).then(function (me) {
      state.me = me;
      toast(t("more.quiet_saved"));
    }, function (error) { toast(problem(error)); });
  }

  // ---- live pushes ----------------------------------------------------------------------------------
  function listen() {
    state.stream = JMLive.listen("/api/v1/notifications/stream", {
      key: state.key,
      lastId: function () { return localStorage.getItem(LAST); },
      onId: function (id) { localStorage.setItem(LAST, id); },
      onEvent: onPush,
      onState: live,
      onUnauthorized: signOut,
    });
  }

  function onPush(note) {
    addPush(note, true);
    if (note.kind === "job.match" || note.kind === "family.match") {
      renderJobs();
      toast(t("jobs.pushed", { title: note.title }));
    } else {
      toast(note.title);
      if (!$("mine").hidden) loadMine();
    }
  }

  function live(on) { $("live").classList.toggle("on", on); $("live").textContent = t(on ? "jobs.live" : "jobs.reconnecting"); }

  // ---- start --------------------------------------------------------------------------------------
  function start() {
    api("/api/v1/me").then(function (me) {
      state.me = me;
      $("hello").textContent = t("jobs.hello", { name: me.name });
      location.hash = location.hash || "#/jobs";
      route();
      loadJobs().then(function () {
        // A job opened straight from a link was drawn before the family's offers were known.
        if (!$("job").hidden) route();
        listen();
      });
    }, function (error) { if (state.key) { route(); toast(problem(error)); } });
  }

  function setUp() {
    JM.applyI18n(document);
    $("enrol-form").addEventListener("submit", enrol);
    $("quiet-form").addEventListener("submit", saveQuiet);
    $("signout").addEventListener("click", signOut);
    var select = $("lang");
    JM.languages.forEach(function (lang) { select.appendChild(h("option", { value: lang }, lang)); });
    select.value = document.documentElement.lang;
    select.addEventListener("change", function () { JM.setLanguage(select.value); });
    $("lang-box").hidden = JM.languages.length < 2;
    window.addEventListener("hashchange", route);
    window.addEventListener("online", function () { showOffline(false); });
    window.addEventListener("offline", function () { showOffline(true); });
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(function () {});
    if (state.key) start(); else route();
  }

  setUp();
})();
