// The timeline page's only script: hover details, zoom and pan. It builds text with textContent only, never
// markup, so nothing from the capture can become code.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var svg = document.getElementById('chart');
  var tip = document.getElementById('tip');
  var tipText = tip.querySelector('pre');
  var axis = document.getElementById('axis');
  var segs = Array.prototype.slice.call(svg.querySelectorAll('.seg'));
  var marks = Array.prototype.slice.call(svg.querySelectorAll('.mark'));
  var span = Math.max(data.end, 1);
  var view = {a: 0, b: span};
  var MIN_WINDOW = 10;
  var hot = null;

  function pad(n, w) {
    var s = String(n);
    while (s.length < w) { s = '0' + s; }
    return s;
  }
  // Epoch microseconds as ISO-8601 UTC with six decimals.
  function iso(abs) {
    var ms = Math.floor(abs / 1000);
    return new Date(ms).toISOString().slice(0, 23) + pad(abs - ms * 1000, 3) + 'Z';
  }
  function duration(us) {
    if (us < 1000) { return us + ' \u00b5s'; }
    if (us < 1e6) { return +(us / 1000).toFixed(3) + ' ms'; }
    if (us < 6e7) { return +(us / 1e6).toFixed(3) + ' s'; }
    var s = Math.floor(us / 1e6);
    return s < 3600 ? Math.floor(s / 60) + ' min ' + s % 60 + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  }
  function x(t) { return data.left + (t - view.a) * data.width / (view.b - view.a); }
  function clamp(v) { return Math.max(data.left - 1, Math.min(data.left + data.width + 1, v)); }

  // The same steps and labels as the server-side axis (TimeAxis.java).
  function step(w) {
    for (var i = 0; i < data.steps.length; i++) {
      if (data.steps[i] * data.maxTicks >= w) { return data.steps[i]; }
    }
    var day = 864e8;
    return day * Math.max(1, Math.ceil(w / (day * data.maxTicks)));
  }
  function label(abs, s) {
    var t = iso(abs);
    if (s >= 864e8) { return t.slice(0, 10); }
    if (s >= 6e7) { return t.slice(11, 16); }
    if (s >= 1e6) { return t.slice(11, 19); }
    if (s >= 1e3) { return t.slice(11, 23); }
    return t.slice(11, 26);
  }
  function svgEl(name, attrs) {
    var el = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }
  function drawAxis() {
    while (axis.firstChild) { axis.removeChild(axis.firstChild); }
    var s = step(view.b - view.a);
    var to = data.start + view.b;
    for (var t = Math.ceil((data.start + view.a) / s) * s, n = 0; t <= to && n <= 2 * data.maxTicks; t += s, n++) {
      var px = x(t - data.start).toFixed(1);
      axis.appendChild(svgEl('line', {'class': 'grid', x1: px, x2: px, y1: data.top - 8, y2: data.height}));
      var text = svgEl('text', {'class': 'tick', x: px, y: data.top - 14, 'text-anchor': 'middle'});
      text.textContent = label(t, s);
      axis.appendChild(text);
    }
  }
  function layout() {
    segs.forEach(function (r) {
      var a = clamp(x(+r.getAttribute('data-a')));
      var b = clamp(x(+r.getAttribute('data-b')));
      r.setAttribute('x', a.toFixed(1));
      r.setAttribute('width', Math.max(0, b - a).toFixed(1));
    });
    marks.forEach(function (m) {
      var v = x(+m.getAttribute('data-t'));
      var outside = v < data.left - 4 || v > data.left + data.width + 4;
      m.setAttribute('visibility', outside ? 'hidden' : 'visible');
      if (!outside) { m.setAttribute('transform', 'translate(' + v.toFixed(1) + ',0)'); }
    });
    drawAxis();
    document.getElementById('window').textContent = 'showing ' + iso(data.start + view.a) + ' to '
        + iso(data.start + view.b) + ' (' + duration(Math.round(view.b - view.a)) + ')';
  }
  function zoom(factor, at) {
    var w = view.b - view.a;
    var nw = Math.min(span, Math.max(MIN_WINDOW, w * factor));
    var a = at - (at - view.a) * nw / w;
    a = Math.max(0, Math.min(span - nw, a));
    view = {a: a, b: a + nw};
    layout();
  }
  function timeAt(clientX) {
    var px = clientX - svg.getBoundingClientRect().left;
    return view.a + (px - data.left) / data.width * (view.b - view.a);
  }

  function eventLines(i, out) {
    var ev = data.events[i];
    out.push(iso(data.start + ev.t) + '  ' + data.lanes[ev.l]);
    out.push(ev.e + ': ' + ev.p + ' -> ' + ev.s);
    if (ev.c !== null) { out.push('call ' + ev.c + (ev.r !== null ? ' with ' + ev.r : '')); }
    if (ev.d !== null) { out.push('why: ' + ev.d); }
    out.push('');
    if (ev.m >= 0) {
      var m = data.messages[ev.m];
      out.push(m.w, m.x);
    } else {
      out.push(ev.n);
    }
  }
  function describe(el) {
    var i = +el.getAttribute('data-e');
    var out = [];
    if (el.classList.contains('seg')) {
      var a = +el.getAttribute('data-a');
      var b = +el.getAttribute('data-b');
      out.push(el.getAttribute('data-state') + ' for ' + duration(b - a) + ', from ' + iso(data.start + a) + ' to '
          + iso(data.start + b));
      if (i < 0) {
        out.push('(before this user\'s first event in what was replayed)');
        return out;
      }
      out.push('since:', '');
    }
    eventLines(i, out);
    return out;
  }
  function show(el, clientX, clientY) {
    if (hot) { hot.classList.remove('hot'); }
    hot = el.classList.contains('mark') ? el : null;
    if (hot) { hot.classList.add('hot'); }
    tipText.textContent = describe(el).join('\n');
    tip.hidden = false;
    var w = tip.offsetWidth;
    var h = tip.offsetHeight;
    // Beside the pointer: right of it and below when there is room, else left of it and above.
    tip.style.left = (clientX + 14 + w <= window.innerWidth ? clientX + 14 : Math.max(4, clientX - w - 14)) + 'px';
    tip.style.top = (clientY + 14 + h <= window.innerHeight ? clientY + 14 : Math.max(4, clientY - h - 10)) + 'px';
  }
  function hide() {
    tip.hidden = true;
    if (hot) { hot.classList.remove('hot'); hot = null; }
  }

  var drag = null;
  svg.addEventListener('mouseover', function (ev) {
    if (drag) { return; }
    var el = ev.target.closest('[data-e]');
    if (el) { show(el, ev.clientX, ev.clientY); } else { hide(); }
  });
  svg.addEventListener('mouseleave', hide);
  svg.addEventListener('wheel', function (ev) {
    var overAxis = ev.clientY - svg.getBoundingClientRect().top < data.top;
    if (!overAxis && !ev.altKey) { return; }
    ev.preventDefault();
    zoom(ev.deltaY < 0 ? 0.8 : 1.25, Math.max(view.a, Math.min(view.b, timeAt(ev.clientX))));
  }, {passive: false});
  svg.addEventListener('mousedown', function (ev) {
    if (ev.button !== 0) { return; }
    drag = {x: ev.clientX, a: view.a, b: view.b};
    svg.classList.add('dragging');
    hide();
    ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) { return; }
    var w = drag.b - drag.a;
    var a = drag.a - (ev.clientX - drag.x) / data.width * w;
    a = Math.max(0, Math.min(span - w, a));
    view = {a: a, b: a + w};
    layout();
  });
  window.addEventListener('mouseup', function () {
    drag = null;
    svg.classList.remove('dragging');
  });
  document.getElementById('zoom-in').addEventListener('click', function () { zoom(0.5, (view.a + view.b) / 2); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoom(2, (view.a + view.b) / 2); });
  document.getElementById('zoom-reset').addEventListener('click', function () { zoom(span / (view.b - view.a), 0); });

  // #e=N in the address: show event N, e.g. a link from a bug report.
  function fromHash() {
    var m = /^#e=(\d+)$/.exec(location.hash);
    var el = m ? svg.querySelector('.mark[data-e="' + m[1] + '"]') : null;
    if (!el) { return; }
    el.scrollIntoView({block: 'center'});
    var r = el.getBoundingClientRect();
    show(el, r.left, r.bottom);
  }
  window.addEventListener('hashchange', fromHash);

  // The native tooltips are for readers without scripts; with one they would cover the details.
  Array.prototype.slice.call(svg.querySelectorAll('.seg > title, .mark > title')).forEach(function (t) {
    t.parentNode.removeChild(t);
  });
  document.documentElement.classList.remove('nojs');
  layout();
  fromHash();
  document.documentElement.setAttribute('data-ready', 'true');
}());
