/* Shared by both pages: messages from the catalogue, API calls with the bearer key, small DOM helpers.
   No words in here: every text shown comes from the catalogue embedded in the page. */
(function () {
  "use strict";
  var messages = JSON.parse(document.getElementById("messages").textContent);
  var languages = JSON.parse(document.getElementById("languages").textContent);

  function t(key, params) {
    var text = messages[key];
    if (text == null) return key;
    return params ? text.replace(/\{(\w+)\}/g, function (m, k) { return params[k] != null ? params[k] : m; }) : text;
  }

  function applyI18n(root) {
    root.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    });
    root.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    });
  }

  /* h("li", {class: "card", dataset: {id: 3}}, "text", child) */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value == null || value === false) return;
      if (name === "dataset") Object.assign(el.dataset, value);
      else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function ApiError(status, problem) {
    var zh = /^zh/i.test(document.documentElement.lang);
    this.status = status;
    this.problem = problem || {};
    // The problem says what to do in Chinese too: a phone set to Chinese should not read it in English.
    this.message = (problem && ((zh && problem.detail_zh) || problem.detail || problem.title)) || String(status);
  }

  /* fetch() with the key; JSON back, or an ApiError carrying the problem details. */
  function api(path, key, options) {
    options = options || {};
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (key) headers.Authorization = "Bearer " + key;
    var init = { method: options.method || "GET", headers: headers };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch(path, init).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) throw new ApiError(response.status, data);
        if (data && typeof data === "object" && response.headers.get("X-From-Cache")) data._cached = true;
        return data;
      });
    });
  }

  /* A file download that needs the Authorization header: fetch it, then hand the browser a blob. */
  function download(path, key) {
    return fetch(path, { headers: { Authorization: "Bearer " + key } }).then(function (response) {
      if (!response.ok) throw new ApiError(response.status, null);
      var disposition = response.headers.get("Content-Disposition") || "";
      var match = /filename\*=UTF-8''([^;]+)/.exec(disposition) || /filename="?([^";]+)/.exec(disposition);
      var name = match ? decodeURIComponent(match[1]) : path.split("/").pop().split("?")[0];
      return response.blob().then(function (blob) {
        var link = h("a", { href: URL.createObjectURL(blob), download: name });
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        return name;
      });
    });
  }

  function pay(min, max) {
    return min === max ? t("job.pay_fixed", { pay: min }) : t("job.pay", { min: min, max: max });
  }

  function day(value) { return value ? String(value).slice(0, 10) : ""; }

  function setLanguage(lang) {
    document.cookie = "jm_lang=" + encodeURIComponent(lang) + "; path=/; max-age=31536000; samesite=lax";
    location.reload();
  }

  window.JM = { t: t, applyI18n: applyI18n, h: h, api: api, download: download, ApiError: ApiError, pay: pay,
                day: day, languages: languages, setLanguage: setLanguage };
})();
