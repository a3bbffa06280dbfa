/* The seeker's app offline: the shell comes from the cache; the latest answers of the API's reads are
   kept so the job list opens when the network drops. The live stream and every write go to the network. */
"use strict";
var SHELL_CACHE = "jm-shell-__VERSION__";
var DATA_CACHE = "jm-data";
var SHELL = __SHELL__;
var KEPT = [/^\/api\/v1\/me$/, /^\/api\/v1\/seekers\/\d+\/(matches|improvements)$/, /^\/api\/v1\/notifications$/,
            /^\/api\/v1\/applications$/, /^\/api\/v1\/placements$/, /^\/api\/v1\/vacancies\/\d+$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("jm-shell-") === 0 && n !== SHELL_CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, cacheName, key) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { cache.put(key || request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key || request).then(function (hit) {
      if (!hit) throw new Error("offline");
      var headers = new Headers(hit.headers);
      headers.set("X-From-Cache", "1");
      return hit.blob().then(function (body) {
        return new Response(body, { status: hit.status, statusText: hit.statusText, headers: headers });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/app") {
    event.respondWith(networkFirst(request, SHELL_CACHE, "/app"));
  } else if (url.pathname.indexOf("/web/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (KEPT.some(function (re) { return re.test(url.pathname); })) {
    event.respondWith(networkFirst(request, DATA_CACHE));
  }
});
