#!/usr/bin/env python3
"""Records Chromium's own trace of a running page for some seconds and says what its long
main-thread tasks (over 50 ms) were made of.

A measurement aid for the live bench (BENCHMARKS.md, "Live mode ..." sections), not a test:
`cargo xtask e2e` with KUBEPLAY_LIVE_BENCH drives headless Chromium through chromedriver,
which starts Chromium with a DevTools port and writes it to DevToolsActivePort in the
browser's profile folder (TMPDIR/kubeplay-bench-PID). Attach while the bench's churn window
runs:

    python3 xtask/tools/trace_long_tasks.py PROFILE_DIR SECONDS [OUT.json]

It traces the whole browser (categories toplevel, devtools.timeline and its disabled-by-
default twin, v8.gc), then, on the page's renderer main thread (CrRendererMain), takes every
top-level task (ThreadControllerImpl::RunTask) over 50 ms and splits its time by the events
inside it, by self time (an event's time less that of the events nested in it): script
(FunctionCall, v8.callFunction, RunMicrotasks), style (UpdateLayoutTree), Layout, PrePaint,
Paint, Commit, GC and so on. For each long task it also prints its layouts (objects dirty of
total, and the layout roots) and the invalidations since the frame before (the element, as
Chromium names it, and the reason), so a long layout can be traced to the part of the page
that changed (with TRACE_INVALIDATIONS=1: it slows the page, so its times are not the
page's). Needs Debian's python3-websocket (websocket-client); talks only
to 127.0.0.1.
"""

import json
import os
import sys
import time
from collections import Counter, defaultdict

import websocket

CATEGORIES = ",".join(
    [
        "toplevel",
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "disabled-by-default-devtools.timeline.frame",
        "v8.gc",
        "blink.user_timing",
        # V8's sampling profiler in the trace's own clock: which functions each long task ran.
        "disabled-by-default-v8.cpu_profiler",
    ]
    # Which element's style or layout was invalidated, and why (nodeName, reason): what each
    # long task's style and layout were for. Only on asking: Chromium then records a script
    # stack at every DOM change, which made a churning page's renders 2-3 times slower (tasks
    # of 100 ms that were 30 without it): counts to read, not times.
    + (["disabled-by-default-devtools.timeline.invalidationTracking"]
       if os.environ.get("TRACE_INVALIDATIONS") else [])
)
LONG_US = 50_000
TASK_NAMES = {"ThreadControllerImpl::RunTask", "RunTask"}


def record(profile_dir, seconds):
    with open(f"{profile_dir}/DevToolsActivePort") as f:
        port, path = f.read().split()[:2]
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=600, suppress_origin=True)
    ws.send(json.dumps({"id": 1, "method": "Tracing.start", "params": {
        "traceConfig": {"includedCategories": CATEGORIES.split(","), "recordMode": "recordContinuously"},
        "transferMode": "ReportEvents"}}))
    started = time.time()
    events = []
    ended = False
    while True:
        if not ended and time.time() - started >= seconds:
            ws.send(json.dumps({"id": 2, "method": "Tracing.end"}))
            ended = True
        ws.settimeout(1 if not ended else 600)
        try:
            message = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            continue
        method = message.get("method")
        if method == "Tracing.dataCollected":
            events.extend(message["params"]["value"])
        elif method == "Tracing.tracingComplete":
            break
        elif "error" in message:
            raise SystemExit(f"Chromium said: {message['error']}")
    ws.close()
    return events


def renderer_main(events):
    """The (pid, tid) of the busiest CrRendererMain thread."""
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"
             and e.get("args", {}).get("name") == "CrRendererMain"}
    counts = Counter((e.get("pid"), e.get("tid")) for e in events if (e.get("pid"), e.get("tid")) in mains)
    return counts.most_common(1)[0][0] if counts else None


def spans(events, thread):
    """Complete spans (name, start, end) on one thread, from X events and B/E pairs."""
    out = []
    open_by_name = defaultdict(list)
    for e in sorted((e for e in events if (e.get("pid"), e.get("tid")) == thread), key=lambda e: e.get("ts", 0)):
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            out.append((e["name"], e["ts"], e["ts"] + e["dur"]))
        elif ph == "B":
            open_by_name[e["name"]].append(e["ts"])
        elif ph == "E" and open_by_name[e.get("name")]:
            out.append((e["name"], open_by_name[e["name"]].pop(), e["ts"]))
    out.sort(key=lambda s: (s[1], -(s[2] - s[1])))
    return out


def self_times(inner):
    """Self time per event name of spans already sorted by start (outer first)."""
    totals = Counter()
    stack = []  # [name, end, child_time]
    def pop():
        name, end, start, child = stack.pop()
        totals[name] += (end - start) - child
        if stack:
            stack[-1][3] += end - start
    for name, start, end in inner:
        while stack and start >= stack[-1][1]:
            pop()
        stack.append([name, end, start, 0])
    while stack:
        pop()
    return totals


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    events = record(sys.argv[1], float(sys.argv[2]))
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            json.dump({"traceEvents": events}, f)
    thread = renderer_main(events)
    if thread is None:
        raise SystemExit("no renderer main thread in the trace")
    all_spans = spans(events, thread)
    tasks = [s for s in all_spans if s[0] in TASK_NAMES]
    # Tasks nested in tasks (a nested run loop) count once, as the outer one.
    top, last_end = [], -1
    for task in tasks:
        if task[1] >= last_end:
            top.append(task)
            last_end = task[2]
    busy = sum(t[2] - t[1] for t in top)
    long_tasks = [t for t in top if t[2] - t[1] > LONG_US]
    print(f"renderer main thread: {len(top)} tasks, busy {busy / 1000:.0f} ms in {sys.argv[2]} s; "
          f"{len(long_tasks)} over 50 ms, {sum(t[2] - t[1] for t in long_tasks) / 1000:.0f} ms")
    # Where the whole thread's busy time went, by event (self time).
    everything = self_times([s for s in all_spans if s[1] >= top[0][1]] if top else [])
    print("  the thread's busy time by event (self time, ms): " + ", ".join(
        f"{n} {us / 1000:.0f}" for n, us in everything.most_common(16)))
    overall = Counter()
    index = 0
    rows = []
    for name, start, end in long_tasks:
        while index < len(all_spans) and all_spans[index][1] < start:
            index += 1
        inner, j = [], index
        while j < len(all_spans) and all_spans[j][1] < end:
            if all_spans[j][2] <= end and all_spans[j][0] not in TASK_NAMES:
                inner.append(all_spans[j])
            j += 1
        selfs = self_times(inner)
        selfs["(task itself)"] = (end - start) - sum(s[2] - s[1] for s in self_roots(inner))
        overall.update(selfs)
        rows.append((end - start, start, selfs))
    print("  long tasks' time by event (self time, ms): " + ", ".join(
        f"{n} {us / 1000:.0f}" for n, us in overall.most_common(14)))
    t0 = min((s[1] for s in all_spans), default=0)
    samples, nodes = profile_samples(events, thread[0])
    layouts = layout_events(events, thread)
    invalidations = invalidation_events(events, thread[0])
    # The page's own functions (a KUBEPLAY_DIST_NAMES=1 dist names them); TRACE_FUNCTIONS
    # names another substring to look for.
    wanted = os.environ.get("TRACE_FUNCTIONS")
    ours = (lambda name: wanted in name) if wanted else (
        lambda name: "kubeplay" in name or "RenderRunner" in name)
    for dur, start, selfs in sorted(rows, reverse=True)[:15]:
        print(f"  at {(start - t0) / 1e6:6.1f} s: {dur / 1000:4.0f} ms = " + ", ".join(
            f"{n} {us / 1000:.0f}" for n, us in selfs.most_common(6) if us >= 500))
        sampled = functions_in(samples, nodes, start, start + dur, ours)
        if sampled:
            print("      sampled: " + ", ".join(f"{n[:90]} {c}" for n, c in sampled.most_common(8)))
        for line in layouts_in(layouts, invalidations, start, start + dur):
            print("      " + line)
    print("  invalidations in the whole window, by element and reason:")
    for (node, reason), count in Counter((i[1], i[2]) for i in invalidations).most_common(12):
        print(f"    {count:6} {reason}: {node[:110]}")


def profile_samples(events, pid):
    """The renderer's V8 samples as (trace time in us, node id) and each node's (name, parent),
    from the trace's Profile and ProfileChunk events (the busiest profile of process `pid`)."""
    starts, chunks = {}, defaultdict(list)
    for e in events:
        if e.get("pid") != pid or e.get("ph") != "P":
            continue
        data = e.get("args", {}).get("data", {})
        if e.get("name") == "Profile":
            starts[e.get("id")] = data.get("startTime", e.get("ts", 0))
        elif e.get("name") == "ProfileChunk":
            chunks[e.get("id")].append(e)
    best = max(chunks, key=lambda k: len(chunks[k]), default=None)
    if best is None:
        return [], {}
    nodes, samples = {}, []
    at = starts.get(best, 0)
    for chunk in sorted(chunks[best], key=lambda e: e.get("ts", 0)):
        data = chunk["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            frame = node.get("callFrame", {})
            name = frame.get("functionName") or f"(anonymous {frame.get('url', '').rsplit('/', 1)[-1]})"
            nodes[node["id"]] = (name, node.get("parent"))
        for node_id, delta in zip(profile.get("samples", []), data.get("timeDeltas", [])):
            at += delta
            samples.append((at, node_id))
    samples.sort()
    return samples, nodes


def functions_in(samples, nodes, start, end, wanted):
    """Inclusive sample counts of the `wanted` function names sampled in [start, end]."""
    import bisect
    counts = Counter()
    i = bisect.bisect_left(samples, (start, -1))
    while i < len(samples) and samples[i][0] <= end:
        seen, node = set(), samples[i][1]
        while node is not None and node in nodes:
            name, parent = nodes[node]
            if name not in seen and wanted(name):
                seen.add(name)
                counts[name] += 1
            node = parent
        i += 1
    return counts


def layout_events(events, thread):
    """Each Layout on `thread` as (start, end, dirty objects, total objects, layout root node
    ids), from X events or B/E pairs (begin carries the counts, end the roots)."""
    out, opened = [], []
    for e in sorted((e for e in events if (e.get("pid"), e.get("tid")) == thread
                     and e.get("name") == "Layout"), key=lambda e: e.get("ts", 0)):
        args = e.get("args", {})
        if e.get("ph") == "X":
            out.append((e["ts"], e["ts"] + e.get("dur", 0), args.get("beginData", {}), args.get("endData", {})))
        elif e.get("ph") == "B":
            opened.append((e["ts"], args.get("beginData", {})))
        elif e.get("ph") == "E" and opened:
            start, begin = opened.pop()
            out.append((start, e["ts"], begin, args.get("endData", {})))
    out.sort(key=lambda l: l[0])
    return [(start, end, begin.get("dirtyObjects"), begin.get("totalObjects"),
             [r.get("nodeId") for r in end_data.get("layoutRoots", [])] or [end_data.get("rootNode")])
            for start, end, begin, end_data in out]


def invalidation_events(events, pid):
    """Style and layout invalidations in the renderer `pid` as (ts, element, reason)."""
    out = []
    for e in events:
        if e.get("pid") != pid or not e.get("name", "").endswith("InvalidationTracking"):
            continue
        data = e.get("args", {}).get("data", {})
        kind = e["name"].replace("InvalidationTracking", "")
        reason = data.get("reason") or data.get("invalidatedSelectorId") or data.get("changedAttribute") or "?"
        extra = data.get("extraData")
        if extra:
            reason = f"{reason} ({extra})"
        out.append((e.get("ts", 0), data.get("nodeName") or str(data.get("nodeId")), f"{kind}: {reason}"))
    out.sort()
    return out


def layouts_in(layouts, invalidations, start, end):
    """Lines saying what the layouts in [start, end] covered and what had invalidated them
    (the invalidations since the layout before)."""
    import bisect
    lines = []
    starts = [l[0] for l in layouts]
    i = bisect.bisect_left(starts, start)
    while i < len(layouts) and layouts[i][0] <= end:
        at, until, dirty, total, roots = layouts[i]
        since = layouts[i - 1][1] if i > 0 else at - 1_000_000
        lines.append(f"layout {(until - at) / 1000:.1f} ms: {dirty} of {total} objects dirty, roots {roots}")
        lo = bisect.bisect_left(invalidations, (since,))
        hi = bisect.bisect_left(invalidations, (at,))
        counts = Counter((node, reason) for _, node, reason in invalidations[lo:hi])
        for (node, reason), count in counts.most_common(6):
            lines.append(f"  {count:5} {reason}: {node[:100]}")
        i += 1
    return lines


def self_roots(inner):
    """The outermost spans of `inner` (sorted by start)."""
    roots, end = [], -1
    for span in inner:
        if span[1] >= end:
            roots.append(span)
            end = span[2]
    return roots


if __name__ == "__main__":
    main()
