"""Simulated throttling (``--metrics simulate``), after Lighthouse's Lantern.

The page loads once more per run with no throttling at all, traced, with its DevTools network
log (``capture``); the load becomes a dependency graph of requests and main-thread tasks
(``requests``, ``graph``), the observed timings give each origin's round-trip and server time
(``network``), and the graph is simulated under the profile's network and CPU
(``simulator``); FCP, LCP, TBT and Speed Index come from optimistic and pessimistic graphs
(``metrics``). ``capture.save_artifacts`` writes the same load as Lighthouse artifacts, so
Lighthouse's own Lantern can be run on identical input (``lighthouse -A``).
"""
