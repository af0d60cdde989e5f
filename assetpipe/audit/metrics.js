// Injected before any page script (Playwright add_init_script). Buffered PerformanceObservers
// collect paint, LCP, layout-shift and long-task entries into window.__assetpipe; the audit reads
// them with collect() once the page has settled. No globals besides __assetpipe.
(() => {
  if (window.__assetpipe) return;
  const s = { fcp: null, lcp: null, lcpEntry: null, shifts: [], longtasks: [] };
  const observe = (type, fn) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(fn))
            .observe({ type, buffered: true }); } catch (e) { /* unsupported type */ }
  };
  observe('paint', (e) => { if (e.name === 'first-contentful-paint') s.fcp = e.startTime; });
  observe('largest-contentful-paint', (e) => { s.lcp = e.startTime; s.lcpEntry = e; });
  observe('longtask', (e) => s.longtasks.push([e.startTime, e.duration]));

  const selector = (el) => {
    if (!el || el.nodeType !== 1) return null;
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 5; n = n.parentElement) {
      let part = n.localName;
      if (n.id) { parts.unshift(part + '#' + CSS.escape(n.id)); break; }
      const cls = [...n.classList].slice(0, 2).map((c) => '.' + CSS.escape(c)).join('');
      part += cls;
      const parent = n.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === n.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(n) + 1})`;
      }
      parts.unshift(part);
      if (n.localName === 'body') break;
    }
    return parts.join(' > ');
  };
  // Each shift with the elements that moved (described now: they may leave the DOM later).
  const describe = (el) => ({
    selector: selector(el),
    tag: el.localName,
    src: el.getAttribute ? el.getAttribute('src') : null,
    url: el.currentSrc || null,
  });
  observe('layout-shift', (e) => {
    if (e.hadRecentInput) return;
    const nodes = (e.sources || []).map((x) => x.node).filter((n) => n && n.nodeType === 1);
    s.shifts.push([e.startTime, e.value, nodes.map(describe)]);
  });

  window.__assetpipe = {
    collect() {
      const nav = performance.getEntriesByType('navigation')[0] || {};
      // CLS: the largest session window (gaps < 1 s, windows < 5 s), as web-vitals and Lighthouse.
      let cls = 0, win = 0, first = 0, last = 0, start = 0, best = [0, 0];
      s.shifts.forEach(([t, v], i) => {
        if (win && t - last < 1000 && t - first < 5000) { win += v; last = t; }
        else { win = v; first = last = t; start = i; }
        if (win > cls) { cls = win; best = [start, i + 1]; }
      });
      // The elements that shifted in that window, each with its share of the window's score
      // (a shift's value split evenly among its sources), largest first.
      const moved = new Map();
      for (const [, v, els] of s.shifts.slice(best[0], best[1])) {
        for (const d of els) {
          const m = moved.get(d.selector) || { ...d, score: 0 };
          m.score += v / els.length;
          moved.set(d.selector, m);
        }
      }
      const shiftElements = [...moved.values()].sort((a, b) => b.score - a.score).slice(0, 5);
      // TBT: the part of each long task beyond 50 ms, counted after FCP (Lighthouse's window
      // ends at TTI; a settled page has no long tasks after it).
      const fcp = s.fcp === null ? 0 : s.fcp;
      let tbt = 0;
      for (const [start, dur] of s.longtasks) {
        const end = start + dur;
        const from = Math.max(start, fcp);
        if (end > from) tbt += Math.max(0, end - from - 50);
      }
      let lcpElement = null;
      const e = s.lcpEntry;
      if (e) {
        const el = e.element;
        lcpElement = {
          selector: selector(el),
          tag: el ? el.localName : null,
          url: e.url || null,
          src: el && el.getAttribute ? el.getAttribute('src') : null,
          lazy: !!(el && el.getAttribute && (el.getAttribute('loading') || '').toLowerCase() === 'lazy'),
          size: e.size,
        };
      }
      return {
        ttfb: nav.responseStart || 0,
        fcp: s.fcp,
        lcp: s.lcp === null ? s.fcp : s.lcp,
        cls,
        tbt,
        load: nav.loadEventEnd || nav.loadEventStart || 0,
        dcl: nav.domContentLoadedEventEnd || 0,
        lcp_element: lcpElement,
        shift_elements: shiftElements,
        longtasks: s.longtasks.length,
      };
    },
  };
})();
