/* Server-Sent Events read with fetch(): EventSource cannot send the Authorization header. Reconnects with
   growing pauses (1 s up to 30 s) and resumes after the last event seen (Last-Event-ID), so a phone that
   loses its signal misses nothing. Returns an AbortController that stops it. */
(function () {
  "use strict";

  function listen(url, options) {
    var controller = new AbortController();
    var backoff = 1000;
    (function connect() {
      if (controller.signal.aborted) return;
      var headers = { Authorization: "Bearer " + options.key, Accept: "text/event-stream" };
      var last = options.lastId();
      if (last) headers["Last-Event-ID"] = last;
      fetch(url, { headers: headers, cache: "no-store", signal: controller.signal })
        .then(function (response) {
          if (response.status === 401) { controller.abort(); return options.onUnauthorized(); }
          if (!response.ok || !response.body) throw new Error(String(response.status));
          options.onState(true);
          backoff = 1000;
          return read(response.body.getReader(), options);
        })
        .catch(function () {})
        .then(function () {
          options.onState(false);
          if (!controller.signal.aborted) setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, 30000);
        });
    })();
    return controller;
  }

  function read(reader, options) {
    var decoder = new TextDecoder(), buffer = "";
    return reader.read().then(function step(chunk) {
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        block(buffer.slice(0, end), options);
        buffer = buffer.slice(end + 2);
      }
      return reader.read().then(step);
    });
  }

  /* One event: "id:", "event:", "data:" lines; comments (": heartbeat") and "retry:" are ignored. */
  function block(text, options) {
    var id = null, data = [];
    text.split("\n").forEach(function (line) {
      if (line.indexOf("id:") === 0) id = line.slice(3).trim();
      else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
    });
    if (id && /^\d+$/.test(id)) options.onId(id);
    if (data.length) options.onEvent(JSON.parse(data.join("\n")));
  }

  window.JMLive = { listen: listen };
})();
