// iptq view: glue between the data iptq wrote into this page and ECharts, which draws it.
// ECharts renders to SVG, so every function name drawn is a <text> element the browser's find
// and screen readers reach; the call tree repeats the flame chart as nested lists.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('iptq-data').textContent);
  var N = D.names, M = D.modules;
  var SEG = {};
  D.segments.forEach(function (r) {
    SEG[r[0]] = {id: r[0], trace: r[1], ts: r[2], pid: r[3], tid: r[4], trigger: r[5], process: r[6],
      insns: r[7], errors: r[8], status: r[9], timed: r[10]};
  });
  var drawnIds = Object.keys(D.detail).map(Number);
  var fmt = function (n) { return n == null ? '' : Number(n).toLocaleString('en-US'); };
  var $ = function (id) { return document.getElementById(id); };
  var charts = {};
  var state = {segment: null, search: '', fn: null};

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, {renderer: 'svg'});
    return charts[id];
  }
  function text(tag, s, cls) {
    var e = document.createElement(tag);
    if (s != null) e.textContent = s;
    if (cls) e.className = cls;
    return e;
  }
  function link(href, s) {
    var a = text('a', s);
    a.href = href;
    return a;
  }
  function segHref(id, fn) {
    return '#segment=' + id + (fn ? '&function=' + encodeURIComponent(fn) : '');
  }
  // One hue per module, so a flame chart shows at once which code ran.
  function color(module, name) {
    var m = module >= 0 ? M[module] : '';
    var h = 0;
    for (var i = 0; i < m.length; i++) h = (h * 31 + m.charCodeAt(i)) % 360;
    var l = 62 + (name % 5) * 4;
    return 'hsl(' + h + ',55%,' + l + '%)';
  }
  function matches(name) {
    return !!state.search && name.toLowerCase().indexOf(state.search) >= 0;
  }

  // ---- header and overview
  function overview() {
    var m = D.meta;
    $('meta').textContent = fmt(m.picked) + ' segments in ' + D.traces.filter(function (t) { return t.segments > 0; }).length
      + ' trace(s); ' + fmt(D.segments.reduce(function (a, s) { return a + s[7]; }, 0)) + ' instructions decoded.';
    if (m.drawn < m.picked) {
      var cap = $('cap');
      cap.hidden = false;
      cap.textContent = 'segments 1–' + fmt(m.drawn) + ' of ' + fmt(m.picked)
        + ' are drawn in detail (flame charts, flame graph, search); use --segment, --trace, --pid, --tid, --from/--to or --max-segments to choose others.';
    }
    $('producer').textContent = 'Written by ' + m.producer + '. Everything on this page is in this one file; it fetches nothing.';
    var tb = $('traces').tBodies[0];
    D.traces.forEach(function (t) {
      var tr = document.createElement('tr');
      [t.trace_id, t.path, t.kind, t.clock, t.start_time || '', fmt(t.segments), fmt(t.instructions)].forEach(function (v, i) {
        tr.appendChild(text('td', v, i >= 5 ? 'n' : null));
      });
      tb.appendChild(tr);
    });
    var st = {}, kinds = [];
    D.health.forEach(function (h) { if (h.what === 'status') st[h.name] = h; else kinds.push(h); });
    var hp = $('health');
    [['ok', 'ok'], ['errors', 'bad'], ['packets-only', 'warn'], ['empty', 'none']].forEach(function (p) {
      var n = st[p[0]] ? st[p[0]].segments : 0;
      hp.appendChild(text('span', fmt(n) + ' ' + p[0], 'badge ' + (n ? p[1] : 'none')));
    });
    var errs = 0, skipped = 0;
    Object.keys(st).forEach(function (k) { errs += st[k].n; skipped += st[k].skipped; });
    hp.appendChild(text('span', fmt(errs) + ' decode errors, ' + fmt(skipped) + ' bytes skipped'));
    var eb = $('errorkinds').tBodies[0];
    if (!kinds.length) $('errorkinds').hidden = true;
    kinds.forEach(function (k) {
      var tr = document.createElement('tr');
      [k.name, fmt(k.segments), fmt(k.n), fmt(k.skipped)].forEach(function (v, i) { tr.appendChild(text('td', v, i ? 'n' : null)); });
      eb.appendChild(tr);
    });
    var triggers = [], procs = [];
    D.triggers.forEach(function (r) {
      if (triggers.indexOf(r.trigger) < 0) triggers.push(r.trigger);
      if (procs.indexOf(r.process) < 0) procs.push(r.process);
    });
    chart('triggers').setOption({
      animation: false,
      tooltip: {trigger: 'axis'},
      legend: {top: 0, right: 0},
      grid: {left: 40, right: 10, top: 30, bottom: 30},
      xAxis: {type: 'category', data: triggers},
      yAxis: {type: 'value', minInterval: 1},
      series: procs.map(function (p) {
        return {name: p, type: 'bar', stack: 'all', label: {show: true},
          data: triggers.map(function (t) {
            var r = D.triggers.filter(function (x) { return x.trigger === t && x.process === p; })[0];
            return r ? r.segments : 0;
          })};
      })
    });
    var sb = $('segtable').tBodies[0];
    D.segments.forEach(function (r) {
      var s = SEG[r[0]];
      var tr = document.createElement('tr');
      tr.id = 'row-' + s.id;
      var td = document.createElement('td');
      td.appendChild(D.detail[s.id] ? link(segHref(s.id), String(s.id)) : text('span', String(s.id)));
      tr.appendChild(td);
      [s.trace, fmt(s.ts), s.process, s.pid, s.tid, s.trigger, fmt(s.insns), fmt(s.errors), s.status,
        s.timed ? 'time' : 'instructions'].forEach(function (v, i) {
        tr.appendChild(text('td', v == null ? '' : v, i === 1 || i === 6 || i === 7 ? 'n' : null));
      });
      sb.appendChild(tr);
    });
  }

  // ---- one frame of a flame chart or flame graph: a rect with its name as SVG text
  function renderFrame(params, api) {
    var y = api.value(2);
    var a = api.coord([api.value(0), y]);
    var b = api.coord([api.value(1), y]);
    var h = api.size([0, 1])[1] * 0.9;
    var cs = params.coordSys;
    var r = echarts.graphic.clipRectByRect(
      {x: a[0], y: a[1] - h / 2, width: Math.max(b[0] - a[0], 0.6), height: h},
      {x: cs.x, y: cs.y, width: cs.width, height: cs.height});
    if (!r) return null;
    var nameId = api.value(3);
    var name = N[nameId];
    var hit = matches(name) || (state.fn != null && name === state.fn);
    var dim = (state.search || state.fn != null) && !hit;
    return {
      type: 'rect', shape: r,
      style: {fill: dim ? '#e6e6e6' : hit ? '#ffcc33' : color(api.value(4), nameId), stroke: '#fff', lineWidth: 0.5},
      textContent: r.width > 18 ? {style: {text: name, width: r.width - 6, overflow: 'truncate', ellipsis: '…',
        fontSize: 11, fill: dim ? '#999' : '#111'}} : undefined,
      textConfig: {position: 'insideLeft'}
    };
  }
  function frameTooltip(axis) {
    return function (p) {
      var v = p.value;
      var name = N[v[3]], mod = v[4] >= 0 ? M[v[4]] : '?';
      var where = axis === 'time' ? fmt(v[0]) + '–' + fmt(v[1]) + ' ns' : axis === 'instructions'
        ? 'instructions ' + fmt(v[0]) + '–' + fmt(v[1]) : '';
      var div = document.createElement('div');
      div.appendChild(text('b', name));
      div.appendChild(text('div', mod + ' · ' + fmt(v[5]) + ' instructions' + (where ? ' · ' + where : '')));
      return div.innerHTML;
    };
  }

  // ---- one segment: flame chart, functions before the event, call tree
  function segment(id) {
    var d = D.detail[id], s = SEG[id];
    if (!d) return;
    state.segment = id;
    document.querySelectorAll('tr.current').forEach(function (tr) { tr.className = ''; });
    if ($('row-' + id)) $('row-' + id).className = 'current';
    $('segtitle').textContent = 'Segment ' + id + ' · ' + (s.trigger || 'no event') + ' · ' + s.process
      + (s.tid != null ? ' tid ' + s.tid : '');
    $('seginfo').textContent = 'trace ' + s.trace + ', event at ' + fmt(s.ts) + ' ns, ' + fmt(d.insns) + ' instructions, '
      + fmt(s.errors) + ' decode errors, status ' + s.status + '.';
    $('axisnote').textContent = d.axis === 'time'
      ? '(x: time estimate, ns since the trace start, between timing packets by instructions)'
      : '(x: instructions — this segment has no timing packets)';
    $('trig').textContent = s.trigger || 'the trace';
    var f = d.frames, items = [], depth = 0;
    for (var i = 0; i < f.length; i += 6) {
      items.push([f[i], f[i + 1], f[i + 2], f[i + 3], f[i + 4], f[i + 5]]);
      if (f[i + 2] > depth) depth = f[i + 2];
    }
    $('flamechart').style.height = Math.max(170, (depth + 1) * 20 + 100) + 'px';
    var c = chart('flamechart');
    c.resize();
    var marks = [{xAxis: d.x1, name: s.trigger || 'end', label: {formatter: (s.trigger || 'end') + ' ▸', position: 'insideEndTop'},
      lineStyle: {color: '#c00', width: 2, type: 'solid'}}];
    d.errors.forEach(function (e) {
      marks.push({xAxis: e[0], name: e[1], label: {formatter: 'decode error: ' + e[1], position: 'insideEndBottom'},
        lineStyle: {color: '#a0a', width: 1, type: 'dashed'}});
    });
    c.setOption({
      animation: false,
      tooltip: {formatter: frameTooltip(d.axis)},
      grid: {left: 8, right: 24, top: 24, bottom: 64},
      xAxis: {type: 'value', min: d.x0, max: d.x1, scale: true,
        name: d.axis === 'time' ? 'ns from the segment\'s first instruction' : 'instructions from the segment\'s first',
        nameLocation: 'middle', nameGap: 22,
        axisLabel: {formatter: function (v) { return fmt(Math.round(v - d.x0)); }}},
      yAxis: {type: 'value', inverse: true, min: -0.5, max: depth + 0.5, show: false},
      dataZoom: [{type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter'},
        {type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 14, bottom: 4, labelFormatter: ''}],
      series: [{type: 'custom', name: 'frames', renderItem: renderFrame, encode: {x: [0, 1], y: 2}, data: items,
        markLine: {symbol: 'none', silent: true, animation: false, data: marks}}]
    }, true);
    var ol = $('before');
    ol.textContent = '';
    for (var j = 0; j < d.before.length; j += 4) {
      var li = document.createElement('li');
      var nm = N[d.before[j + 1]];
      li.appendChild(link('#function=' + encodeURIComponent(nm), nm));
      li.appendChild(text('span', ' ' + (d.before[j + 2] >= 0 ? M[d.before[j + 2]] : '') + ' · '
        + fmt(d.before[j + 3]) + ' insns · back ' + d.before[j], 'small'));
      if (d.before[j] === 1) li.className = 'last';
      ol.appendChild(li);
    }
    var se = $('segerrors');
    se.textContent = '';
    if (d.errors.length) {
      se.appendChild(text('h3', 'Decode errors'));
      var ul = document.createElement('ul');
      d.errors.forEach(function (e) { ul.appendChild(text('li', e[1] + ' at offset ' + fmt(e[3]) + ': ' + e[2])); });
      se.appendChild(ul);
    }
    calltree(items);
  }

  // The frames as nested lists: the flame chart's nesting in the DOM, for find and screen readers.
  function calltree(items) {
    var root = document.createElement('ul');
    root.setAttribute('role', 'tree');
    var stack = [{ul: root, depth: -1}];
    items.forEach(function (it) {
      while (stack.length > 1 && stack[stack.length - 1].depth >= it[2]) stack.pop();
      var li = document.createElement('li');
      li.setAttribute('role', 'treeitem');
      li.dataset.depth = it[2];
      var nm = N[it[3]];
      var span = text('span', nm, 'fn');
      li.appendChild(span);
      li.appendChild(text('span', ' ' + (it[4] >= 0 ? M[it[4]] : '') + ' · ' + fmt(it[5]) + ' insns', 'small'));
      var ul = document.createElement('ul');
      ul.setAttribute('role', 'group');
      li.appendChild(ul);
      stack[stack.length - 1].ul.appendChild(li);
      stack.push({ul: ul, depth: it[2]});
    });
    root.querySelectorAll('ul').forEach(function (u) { if (!u.firstChild) u.remove(); });
    $('calltree').textContent = '';
    $('calltree').appendChild(root);
  }

  // ---- flame graph of the drawn segments: process at the bottom, callees above callers
  function flamegraph() {
    var items = [], depth = 0;
    function lay(node, x, d) {
      items.push([x, x + node[2], d, node[0], node[1], node[2]]);
      if (d > depth) depth = d;
      var kids = node[3].slice().sort(function (a, b) { return N[a[0]] < N[b[0]] ? -1 : N[a[0]] > N[b[0]] ? 1 : 0; });
      var cx = x;
      kids.forEach(function (k) { lay(k, cx, d + 1); cx += k[2]; });
    }
    var x = 0;
    D.flame[3].forEach(function (p) { lay(p, x, 0); x += p[2]; });
    $('flamenote').textContent = 'All ' + fmt(D.meta.drawn) + ' segments drawn, merged by call stack: width is instructions ('
      + fmt(x) + ' in all), the process at the bottom. Click a function for the segments it ran in.';
    $('flamegraph').style.height = Math.max(160, (depth + 1) * 20 + 40) + 'px';
    var c = chart('flamegraph');
    c.resize();
    c.setOption({
      animation: false,
      tooltip: {formatter: frameTooltip('')},
      grid: {left: 8, right: 24, top: 8, bottom: 30},
      xAxis: {type: 'value', min: 0, max: Math.max(1, x), show: false},
      yAxis: {type: 'value', min: -0.5, max: depth + 0.5, show: false},
      dataZoom: [{type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter'}],
      series: [{type: 'custom', name: 'stacks', renderItem: renderFrame, encode: {x: [0, 1], y: 2}, data: items}]
    }, true);
  }

  // ---- search and function pages
  function results() {
    var box = $('results'), ul = $('matches');
    ul.textContent = '';
    box.hidden = !state.search;
    if (!state.search) return;
    $('query').textContent = state.search;
    Object.keys(D.functions).map(Number).filter(function (i) { return matches(N[i]); })
      .sort(function (a, b) { return N[a] < N[b] ? -1 : 1; }).forEach(function (i) {
        var segs = D.functions[i];
        var li = document.createElement('li');
        li.appendChild(link('#function=' + encodeURIComponent(N[i]), N[i]));
        li.appendChild(text('span', ' — in ' + segs.length / 2 + ' segment(s): ', 'small'));
        for (var k = 0; k < segs.length && k < 40; k += 2) {
          li.appendChild(link(segHref(segs[k], N[i]), String(segs[k])));
          li.appendChild(document.createTextNode(' '));
        }
        ul.appendChild(li);
      });
    if (!ul.firstChild) ul.appendChild(text('li', 'no function of the drawn segments matches'));
  }
  function functionPanel() {
    var box = $('function');
    box.hidden = state.fn == null;
    if (state.fn == null) return;
    $('fname').textContent = state.fn;
    var ul = $('fsegments');
    ul.textContent = '';
    var i = N.indexOf(state.fn);
    var segs = i >= 0 ? D.functions[i] || [] : [];
    for (var k = 0; k < segs.length; k += 2) {
      var li = document.createElement('li');
      var s = SEG[segs[k]];
      li.appendChild(link(segHref(segs[k], state.fn), 'segment ' + segs[k]));
      li.appendChild(text('span', ' ' + (s.trigger || '') + ' · ' + fmt(segs[k + 1]) + ' insns', 'small'));
      ul.appendChild(li);
    }
    if (!segs.length) ul.appendChild(text('li', 'none of the drawn segments'));
  }

  // ---- state lives in the URL's fragment: #segment=19&function=SampTreeChecksum&search=tree
  function route() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    var seg = p.has('segment') ? Number(p.get('segment')) : state.segment;
    if (seg == null || !D.detail[seg]) seg = drawnIds[0];
    state.fn = p.get('function');
    if (p.has('search')) {
      state.search = p.get('search').toLowerCase();
      $('search').value = p.get('search');
    }
    results();
    functionPanel();
    segment(seg);
    flamegraph();
    document.body.dataset.ready = 'true';
  }
  function onClick(p) {
    if (p.componentType === 'series' && p.value) location.hash = 'segment=' + state.segment + '&function=' + encodeURIComponent(N[p.value[3]]);
  }

  overview();
  chart('flamechart').on('click', onClick);
  chart('flamegraph').on('click', onClick);
  $('search').addEventListener('input', function () {
    state.search = this.value.trim().toLowerCase();
    results();
    segment(state.segment);
    flamegraph();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  route();
})();
