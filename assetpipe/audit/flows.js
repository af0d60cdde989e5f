// Injected into every document of a user flow (assetpipe/audit/flows.py): records Event Timing
// entries (interactions) and layout shifts for the flow runner to read after each step.
(() => {
  if (window.__assetpipeFlow) return;
  const events = [];
  const shifts = [];
  const flow = { events, shifts, origin: performance.timeOrigin };
  window.__assetpipeFlow = flow;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.interactionId > 0) {
          events.push({ id: e.interactionId, name: e.name, start: e.startTime, duration: e.duration });
        }
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch (_) { /* no Event Timing: latencies stay null */ }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        shifts.push({ start: e.startTime, value: e.value, input: e.hadRecentInput });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  } catch (_) { /* no Layout Instability API */ }
  // Resolves once an interaction that started at or after `since` has been reported (or after
  // `capMs`), then after two frames, so the entries of the step's own paint are delivered.
  flow.settle = (since, capMs) => new Promise((resolve) => {
    const end = performance.now() + capMs;
    const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const poll = () => {
      if (events.some((e) => e.start >= since) || performance.now() >= end) frames();
      else setTimeout(poll, 20);
    };
    poll();
  });
})();
