/* azroute report: zoom/pan, spoke groups, flows, route tables and search. Draws what the report's
   data says; decides nothing. No network access; all text is inserted with textContent. */
(function () {
  "use strict";
  var started = performance.now();  /* since navigation start: parsing is before this script */
  var data = JSON.parse(document.getElementById("azr-data").textContent);
  var S = data.s;
  var svg = document.querySelector("#diagram svg");
  var canvas = document.querySelector("#diagram .canvas");
  var baseW = parseFloat(svg.getAttribute("width"));
  var baseH = parseFloat(svg.getAttribute("data-height"));
  var contentH = baseH;
  var view = {x: 0, y: 0, w: baseW, h: baseH};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function applyView() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
  }
  function fit() {
    var box = canvas.getBoundingClientRect();
    var aspect = (box.width || 1) / (box.height || 1);
    var w = baseW, h = contentH;
    if (w / h > aspect) { h = w / aspect; } else { w = h * aspect; }
    view = {x: (baseW - w) / 2, y: 0, w: w, h: h};
    applyView();
  }
  function zoom(factor, cx, cy) {
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    view = {x: cx - (cx - view.x) * factor, y: cy - (cy - view.y) * factor, w: view.w * factor, h: view.h * factor};
    applyView();
  }
  function toSvg(clientX, clientY) {
    var box = canvas.getBoundingClientRect();
    return [view.x + (clientX - box.left) / box.width * view.w, view.y + (clientY - box.top) / box.height * view.h];
  }
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toSvg(ev.clientX, ev.clientY);
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p[0], p[1]);
  }, {passive: false});
  var drag = null;
  canvas.addEventListener("mousedown", function (ev) {
    drag = {x: ev.clientX, y: ev.clientY, view: {x: view.x, y: view.y, w: view.w, h: view.h}, moved: false};
    canvas.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var box = canvas.getBoundingClientRect();
    var dx = (ev.clientX - drag.x) / box.width * drag.view.w, dy = (ev.clientY - drag.y) / box.height * drag.view.h;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    view = {x: drag.view.x - dx, y: drag.view.y - dy, w: drag.view.w, h: drag.view.h};
    applyView();
  });
  window.addEventListener("mouseup", function () {
    canvas.classList.remove("dragging");
    setTimeout(function () { drag = null; }, 0);
  });
  document.querySelectorAll("#diagram [data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      if (how === "in") zoom(1 / 1.3); else if (how === "out") zoom(1.3); else fit();
    });
  });

  /* spoke groups: a click shows the group's members in its band below the diagram */
  var bands = Array.prototype.slice.call(svg.querySelectorAll("g.band"));
  var viewport = svg.querySelector("g.viewport");
  var firstFlow = svg.querySelector("g.flow");
  document.querySelectorAll("template.band-tpl").forEach(function (t) {
    var g = t.content.querySelector("g.band");
    g.setAttribute("data-template", "1");
    bands.push(g);
  });
  function materialise(band) {
    if (band.getAttribute("data-template") !== "1") return band;
    var live = document.importNode(band, true);
    live.removeAttribute("data-template");
    viewport.insertBefore(live, firstFlow);
    var title = live.querySelector("text.title");
    if (title) title.addEventListener("click", function () { toggleGroup(live.getAttribute("data-group")); });
    bands[bands.indexOf(band)] = live;
    return live;
  }
  function restack() {
    var y = baseH;
    bands.forEach(function (band) {
      if (band.style.display === "none" || band.getAttribute("data-template") === "1") return;
      band.setAttribute("transform", "translate(0," + (y - parseFloat(band.getAttribute("data-y"))) + ")");
      y += parseFloat(band.getAttribute("data-h"));
    });
    contentH = y;
  }
  var shownBand = null;
  function toggleGroup(group) {
    bands.slice().forEach(function (band) {
      if (band.getAttribute("data-group") !== group) return;
      var live = materialise(band);
      live.style.display = live.style.display === "none" ? "" : "none";
      shownBand = live.style.display === "" ? live : null;
    });
    restack();
    fit();
    if (shownBand) {  /* look at the members just shown, at the diagram's scale */
      var top = parseFloat(shownBand.getAttribute("data-y"));
      var shift = /translate\(0,([-0-9.e]+)\)/.exec(shownBand.getAttribute("transform") || "");
      var h = baseW * (canvas.clientHeight || 1) / (canvas.clientWidth || 1);
      view = {x: 0, y: top + (shift ? parseFloat(shift[1]) : 0), w: baseW, h: h};
      applyView();
    }
  }
  svg.querySelectorAll("g.node.group").forEach(function (g) {
    g.addEventListener("click", function () { if (!drag || !drag.moved) toggleGroup(g.getAttribute("data-group")); });
  });
  bands.forEach(function (band) {
    var title = band.querySelector("text.title");
    if (title && band.getAttribute("data-template") !== "1") {
      title.addEventListener("click", function () { toggleGroup(band.getAttribute("data-group")); });
    }
  });

  /* flows: one intent's example at a time */
  function showFlow(index) {
    svg.querySelectorAll("g.flow").forEach(function (g) {
      g.style.display = g.getAttribute("data-flow") === String(index) ? "" : "none";
    });
    document.querySelectorAll(".intent").forEach(function (a) {
      a.classList.toggle("selected", a.getAttribute("data-flow") === String(index));
    });
    var shown = svg.querySelector('g.flow[data-flow="' + index + '"]');
    document.getElementById("flow-title").textContent = shown ? "Showing: " + shown.getAttribute("data-title") + " — " + shown.getAttribute("data-verdict") : "";
  }
  document.querySelectorAll("button.showflow").forEach(function (b) {
    b.addEventListener("click", function () {
      showFlow(b.getAttribute("data-flow"));
      document.getElementById("diagram").scrollIntoView();
    });
  });

  /* route tables, drawn on demand from the data */
  var COLUMNS = ["Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP"];
  function routeTable(setIndex, lies) {
    var set = data.sets[setIndex];
    var wrap = el("div");
    wrap.appendChild(el("h3", "Effective routes of " + set.subnets.join(", ")));
    var toggle = el("button", "Show why");
    wrap.appendChild(toggle);
    var table = el("table", null, "routes");
    var head = el("tr");
    COLUMNS.concat(["Why"]).forEach(function (c, i) {
      var th = el("th", c);
      if (i === 5) th.className = "whycol hidden";
      head.appendChild(th);
    });
    table.appendChild(head);
    var frag = document.createDocumentFragment();
    set.rows.forEach(function (r) {
      var row = data.rows[r];
      var tr = el("tr");
      if (S[row[1]] === "Invalid") tr.className = "invalid";
      var lie = lies && lies[r] !== undefined ? S[lies[r]] : null;
      if (lie) tr.className = "lie";
      for (var i = 0; i < 5; i++) tr.appendChild(el("td", S[row[i]]));
      var why = el("td", lie ? S[row[5]] + " | data path: " + lie : S[row[5]], "why whycol hidden");
      tr.appendChild(why);
      tr.title = lie ? "The gateway's data path ignores this row: " + lie : S[row[5]];
      frag.appendChild(tr);
    });
    table.appendChild(frag);
    wrap.appendChild(table);
    set.notes.forEach(function (n) { wrap.appendChild(el("p", "Not shown: " + S[n], "small")); });
    toggle.addEventListener("click", function () {
      var hide = !table.querySelector("th.whycol").classList.contains("hidden");
      table.querySelectorAll(".whycol").forEach(function (c) { c.classList.toggle("hidden", hide); });
      toggle.textContent = hide ? "Show why" : "Hide why";
    });
    return wrap;
  }
  function show(container, node) {
    container.textContent = "";
    container.appendChild(node);
  }
  document.querySelectorAll("button.gwroutes").forEach(function (b) {
    b.addEventListener("click", function () {
      var target = document.getElementById(b.getAttribute("data-target"));
      var gw = data.gateways[parseInt(b.getAttribute("data-gateway"), 10)];
      show(target, routeTable(gw.set, gw.lies));
    });
  });

  /* the list of distinct route sets */
  var setFilter = document.getElementById("setfilter");
  var setList = document.getElementById("setlist");
  function listSets() {
    var needle = setFilter.value.trim().toLowerCase();
    setList.textContent = "";
    var shown = 0, matched = 0;
    data.sets.forEach(function (set, i) {
      var title = set.subnets.join(", ");
      if (needle && title.toLowerCase().indexOf(needle) < 0) return;
      matched++;
      if (shown >= 200) return;
      shown++;
      var li = el("li", title + " (" + set.rows.length + " rows)");
      li.addEventListener("click", function () { show(document.getElementById("settable"), routeTable(i, null)); });
      setList.appendChild(li);
    });
    document.getElementById("setcount").textContent = matched > shown ? shown + " of " + matched + " shown; filter to narrow" : "";
  }
  setFilter.addEventListener("input", listSets);

  /* search: a VM, endpoint, firewall, gateway, subnet or IP */
  function parseIp(text) {
    var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    if (!m) return null;
    var v = 0;
    for (var i = 1; i <= 4; i++) { var o = parseInt(m[i], 10); if (o > 255) return null; v = v * 256 + o; }
    return v;
  }
  function highlight(node) {
    svg.querySelectorAll("g.node.found").forEach(function (g) { g.classList.remove("found"); });
    if (node === null || node === undefined) return;
    svg.querySelectorAll("g.node").forEach(function (g) {
      if (g.getAttribute("data-id") === S[node]) g.classList.add("found");
    });
  }
  function search(text) {
    var results = document.getElementById("results");
    results.textContent = "";
    text = text.trim();
    if (!text) return;
    var ip = parseIp(text), hits = [];
    data.find.forEach(function (f) {
      var name = S[f[1]], ips = S[f[2]].split(" ");
      if (ip !== null ? ips.indexOf(text) >= 0 : name.toLowerCase().indexOf(text.toLowerCase()) >= 0) {
        hits.push({label: S[f[0]] + " " + name + " (" + S[f[2]] + ") in " + S[f[3]], set: f[4], node: f[5]});
      }
    });
    data.subnets.forEach(function (s) {
      var key = S[s[0]];
      var match = ip !== null ? (s[1] <= ip && ip <= s[2]) : key.toLowerCase().indexOf(text.toLowerCase()) >= 0;
      if (match) hits.push({label: "subnet " + key, set: s[3], node: s[4]});
    });
    if (!hits.length) { results.appendChild(el("li", "nothing named or addressed " + text)); return; }
    hits.slice(0, 30).forEach(function (h, i) {
      var li = el("li", h.label);
      li.addEventListener("click", function () { pick(h); });
      results.appendChild(li);
      if (i === 0) pick(h);
    });
    if (hits.length > 30) results.appendChild(el("li", (hits.length - 30) + " more: type more of the name"));
  }
  function pick(hit) {
    highlight(hit.node);
    var target = document.getElementById("found-routes");
    if (hit.set === null || hit.set === undefined) { show(target, el("p", "on-premises: Azure computes no routes for it", "small")); return; }
    show(target, routeTable(hit.set, lieMap(hit.set)));
  }
  function lieMap(setIndex) {
    var found = null;
    data.gateways.forEach(function (g) { if (g.set === setIndex) found = g.lies; });
    return found;
  }
  var box = document.getElementById("search");
  var timer = null;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(box.value); }, 150);
  });

  restack();
  fit();
  listSets();
  /* a gateway whose data path ignores displayed rows shows its table at once, those rows in red */
  document.querySelectorAll("button.gwroutes").forEach(function (b) {
    var gw = data.gateways[parseInt(b.getAttribute("data-gateway"), 10)];
    if (Object.keys(gw.lies).length) show(document.getElementById(b.getAttribute("data-target")), routeTable(gw.set, gw.lies));
  });
  var hash = decodeURIComponent(window.location.hash.slice(1));
  var initial = svg.querySelector("g.flow:not([style])");
  if (initial) showFlow(initial.getAttribute("data-flow"));
  hash.split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv[0] === "find" && kv.length > 1) { box.value = kv.slice(1).join("="); search(box.value); }
    if (kv[0] === "flow" && kv.length > 1) showFlow(kv[1]);
    if (kv[0] === "expand") svg.querySelectorAll("g.node.group").forEach(function (g) { toggleGroup(g.getAttribute("data-group")); });
  });
  document.body.setAttribute("data-script-ms", String(Math.round(performance.now() - started)));
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now())));
  document.body.setAttribute("data-ready", "1");
}());
