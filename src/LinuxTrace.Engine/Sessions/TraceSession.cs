using System.Collections.Concurrent;
using System.Diagnostics;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Native;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Sessions;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace;

public enum TraceSessionState
{
    Running,
    Stopped,
}

/// <summary>
/// A trace session: owns a private instance (or borrows one and remembers what it changed), enables the
/// events with their filters and pid filter, drains the ring buffers on background threads, hands
/// records to the consumer, and on every end (normal, Ctrl+C, Select-Object -First, exception,
/// Stop-Trace, process exit) disables and removes everything it set up.
/// </summary>
public sealed class TraceSession : IDisposable
{
    private static readonly ConcurrentDictionary<int, TraceSession> Active = new();

    /// <summary>ftrace records that mark a trace (trace_marker writes, trace_printk): they need no enabling.</summary>
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal) { "print", "bprint", "bputs" };
    private static int _counter;

    private readonly LinuxTrace.Engine.Sessions.InstanceState? _restore;
    private readonly object _stopGate = new();
    private CpuDrainer[] _drainers = Array.Empty<CpuDrainer>();
    private PageQueue? _queue;
    private CpuCursor[]? _cursors;
    private long _events;
    private long _lost;
    private long _lostMarkers;
    private TraceSessionSummary? _summary;

    static TraceSession()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var s in Active.Values) s.Dispose();
        };
    }

    private TraceSession(int id, string name, TraceInstance instance, bool ownsInstance, LinuxTrace.Engine.Sessions.InstanceState? restore)
    {
        Id = id;
        Name = name;
        Instance = instance;
        OwnsInstance = ownsInstance;
        _restore = restore;
        Factory = EventFactory.ForLive(instance.Tracefs);
        Catalog = Factory.Catalog;
        Commands = Factory.Commands;
        Losses = new LossAccount(cpu => LostOn(instance, cpu), instance.Cpus);
        StartTime = DateTime.Now;
    }

    public int Id { get; }
    public string Name { get; }

    /// <summary>The instance the session records into.</summary>
    public TraceInstance Instance { get; }

    public string InstanceName => Instance.DisplayName;

    /// <summary>True when the session created its instance and removes it at the end.</summary>
    public bool OwnsInstance { get; }

    public IReadOnlyList<EventName> Events { get; private set; } = Array.Empty<EventName>();
    public string? Filter { get; private set; }
    public IReadOnlyList<int> ProcessIds { get; private set; } = Array.Empty<int>();
    public DateTime StartTime { get; }
    public DateTime? EndTime { get; private set; }
    public TraceSessionState State { get; private set; } = TraceSessionState.Running;

    /// <summary>Events handed to the consumer so far.</summary>
    public long EventCount => Interlocked.Read(ref _events);

    /// <summary>Events known lost so far (the kernel's stored counts).</summary>
    public long LostEventCount => Interlocked.Read(ref _lost);

    /// <summary>Pages that reported a loss (with or without a count).</summary>
    public long LossReports => Interlocked.Read(ref _lostMarkers);

    public EventCatalog Catalog { get; }

    /// <summary>Keeps the lost-event counts in the stream equal to the kernel's statistics.</summary>
    internal LossAccount Losses { get; }

    private static long LostOn(TraceInstance instance, int cpu) =>
        CpuBufferStats.Parse(instance.DisplayName, cpu, instance.ReadFile($"per_cpu/cpu{cpu}/stats")).Lost;
    public CommandResolver Commands { get; }
    public EventFactory Factory { get; }

    /// <summary>Sessions of this process that are still running.</summary>
    public static IReadOnlyList<TraceSession> GetActive() => Active.Values.OrderBy(s => s.Id).ToArray();

    public override string ToString() => Name;

    /// <summary>Sets up an instance for <paramref name="options"/> and starts recording into its buffer.</summary>
    public static TraceSession Start(TraceSessionOptions options, TraceFileSystem? tracefs = null)
    {
        var fs = tracefs ?? TraceFileSystem.Default;
        if (options.Events.Count == 0)
            throw new TraceException(TraceErrorKind.InvalidArgument, "Name at least one event to trace (-Event sched:sched_switch, for example).") { ErrorId = "NoEvents" };
        fs.Capabilities.Require(TraceCapabilities.Events);

        // Resolve everything before touching the kernel, so a typo changes nothing.
        var events = EventSelector.Resolve(fs.Top, options.Events, includeFtrace: true);
        foreach (var e in events)
        {
            if (e.System == "ftrace" && !Markers.Contains(e.Name))
                throw new TraceException(TraceErrorKind.InvalidArgument,
                    $"{e} records are written by a tracer, not enabled as an event; the markers ftrace:print, ftrace:bprint and ftrace:bputs can be traced.")
                    { ErrorId = "NotAnEvent" };
        }
        foreach (int pid in options.ProcessIds)
        {
            if (!Directory.Exists($"/proc/{pid}"))
                throw new TraceException(TraceErrorKind.NotFound, $"There is no process {pid}: nothing could be traced for it.", $"/proc/{pid}") { ErrorId = "ProcessNotFound" };
        }
        RemoveStaleInstances(fs);
        int id = Interlocked.Increment(ref _counter);
        bool owns;
        TraceInstance instance;
        if (options.Instance is null)
        {
            fs.Capabilities.Require(TraceCapabilities.Instances);
            string name = $"linuxtrace-{Environment.ProcessId}-{id}";
            while (fs.InstanceExists(name)) name = $"linuxtrace-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
            instance = fs.CreateInstance(name);
            owns = true;
        }
        else if (TraceFileSystem.IsTopName(options.Instance) || fs.InstanceExists(options.Instance))
        {
            instance = fs.GetInstance(options.Instance);
            owns = false;
        }
        else
        {
            instance = fs.CreateInstance(options.Instance);
            owns = true;
        }

        var session = new TraceSession(id, options.Name ?? instance.DisplayName, instance, owns, owns ? null : new LinuxTrace.Engine.Sessions.InstanceState(instance));
        try
        {
            session.Configure(options, events);
        }
        catch
        {
            session.TearDown();
            throw;
        }
        Active[id] = session;
        return session;
    }

    private void Configure(TraceSessionOptions o, IReadOnlyList<EventName> events)
    {
        var inst = Instance;
        _restore?.RememberTracingOn();
        inst.TracingOn = false;
        if (o.BufferSizeKB is { } kb)
        {
            _restore?.RememberBufferSize();
            inst.BufferSizeKB = kb;
        }
        if (o.BufferPercent is { } bp && inst.BufferPercent >= 0)
        {
            _restore?.RememberBufferPercent();
            inst.BufferPercent = bp;
        }
        if (o.Clock is not null)
        {
            _restore?.RememberClock();
            inst.Clock = o.Clock;
        }
        if (o.ProcessIds.Count > 0)
        {
            _restore?.RememberPids();
            inst.SetEventPids(o.ProcessIds);
            ProcessIds = o.ProcessIds;
        }
        if (o.FollowChildren)
        {
            _restore?.RememberOption("event-fork");
            inst.SetOption("event-fork", true);
        }
        LiveFilter.AllowEvents(Catalog, events);
        if (o.ProcessIds.Count == 0 && !o.IncludeSelf) ExcludeSelf(events);
        foreach (var e in events)
        {
            if (e.System == "ftrace")
            {
                // markers written to the top-level trace_marker reach this instance too (copy_trace_marker, 6.17+)
                if (e.Name == "print" && !inst.IsTop && inst.HasOption("copy_trace_marker"))
                {
                    _restore?.RememberOption("copy_trace_marker");
                    inst.SetOption("copy_trace_marker", true);
                }
                continue;
            }
            _restore?.RememberEvent(e);
            if (!string.IsNullOrWhiteSpace(o.Filter))
            {
                try
                {
                    inst.SetEventFilter(e.System, e.Name, o.Filter);
                }
                catch (TraceException ex) when (ex.Kind == TraceErrorKind.InvalidArgument)
                {
                    throw new TraceException(TraceErrorKind.InvalidArgument, $"Bad filter for {e}: {ex.Message}", ex.Path, ex.Errno, ex)
                    {
                        KernelMessage = ex.KernelMessage, KernelErrorPosition = ex.KernelErrorPosition, ErrorId = "BadFilter",
                    };
                }
            }
            inst.EnableEvent(e.System, e.Name, true);
        }
        Events = events;
        Filter = o.Filter;
        foreach (var e in events) Catalog.GetByName(e.System, e.Name); // load formats now, not on the hot path
        RefreshCommands();
    }

    private long _commandsRefreshed = -1;

    /// <summary>Reloads the kernel's saved_cmdlines (pid to command of traced tasks) at most twice a second.</summary>
    private void RefreshCommands(bool force = false)
    {
        long now = Environment.TickCount64;
        if (!force && _commandsRefreshed >= 0 && now - _commandsRefreshed < 500) return;
        _commandsRefreshed = now;
        if (TracefsFile.TryRead(Path.Combine(Instance.Tracefs.Root, "saved_cmdlines"), out var cmdlines)) Commands.Load(cmdlines);
    }

    /// <summary>Names of the instances removed by the last <see cref="RemoveStaleInstances"/> (for a warning).</summary>
    public static IReadOnlyList<string> LastRemovedStale { get; private set; } = Array.Empty<string>();

    /// <summary>
    /// Removes private instances (linuxtrace-PID-N) left by LinuxTrace processes that no longer exist (killed with
    /// SIGKILL, a crashed host): nothing could clean them up then. An instance whose PID is alive is never touched.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleInstances(TraceFileSystem fs)
    {
        var removed = new List<string>();
        foreach (var inst in fs.GetInstances())
        {
            var parts = inst.Name.Split('-');
            if (parts.Length != 3 || parts[0] != "linuxtrace" || !int.TryParse(parts[1], out int pid) || !int.TryParse(parts[2], out _)) continue;
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            try
            {
                try { inst.WriteFile("events/enable", "0"); } catch (TraceException) { }
                fs.RemoveInstance(inst.Name);
                removed.Add(inst.Name);
            }
            catch (TraceException) { }
        }
        LastRemovedStale = removed;
        return removed;
    }

    /// <summary>Turns recording on (after a program to trace was set up).</summary>
    public void Resume() => Instance.TracingOn = true;

    /// <summary>Restricts recording to <paramref name="pids"/> (set_event_pid); LinuxTrace's own threads are then out anyway.</summary>
    public void SetProcessIds(IReadOnlyList<int> pids)
    {
        _restore?.RememberPids();
        Instance.SetEventPids(pids);
        ProcessIds = pids;
        if (_own is not null)
        {
            _own = null;
            LiveFilter.ExcludeThreads(null);
            if (Instance.HasNoTracePids) Instance.SetNoTracePids(_ownKernelFiltered = Array.Empty<int>());
        }
    }

    // ---- leaving LinuxTrace's own process out ---------------------------------------------------

    private OwnThreads? _own;
    private IReadOnlyList<int> _ownKernelFiltered = Array.Empty<int>();
    private long _ownRefreshed;

    /// <summary>Records the events that reach the consumer must pass: the selected events, and not LinuxTrace's own threads.</summary>
    internal RecordFilter LiveFilter { get; } = new();

    /// <summary>True when this process's threads are left out of the trace.</summary>
    public bool ExcludesSelf => _own is not null;

    private void ExcludeSelf(IEnumerable<EventName> events)
    {
        _own = new OwnThreads();
        // markers are written on purpose, by Write-TraceMarker in this process too: they stay
        var markers = events.Where(e => e.System == "ftrace" && Markers.Contains(e.Name)).Select(e => Catalog.GetByName(e.System, e.Name)?.Id ?? -1);
        LiveFilter.ExcludeThreads(_own, markers);
        if (Instance.HasNoTracePids)
        {
            _restore?.RememberNoTracePids();
            RefreshOwnThreads(force: true);
        }
    }

    /// <summary>Puts threads this process started since into set_event_notrace_pid (at most twice a second), so that
    /// the kernel does not spend ring-buffer space on them; the engine leaves out what slips through meanwhile.</summary>
    private void RefreshOwnThreads(bool force = false)
    {
        if (_own is null || !Instance.HasNoTracePids) return;
        long now = Environment.TickCount64;
        if (!force && now - _ownRefreshed < 500) return;
        _ownRefreshed = now;
        var current = OwnThreads.Current();
        if (current.SequenceEqual(_ownKernelFiltered)) return;
        try
        {
            Instance.SetNoTracePids(current);
            _ownKernelFiltered = current;
        }
        catch (TraceException) when (!force)
        {
            // a thread exited between listing and writing (ESRCH): the next refresh catches up
        }
    }

    // ---- live streaming -------------------------------------------------------------------------

    /// <summary>Starts one drainer thread per CPU feeding <paramref name="sink"/> (a queue for <see cref="ReadLive"/> when null).</summary>
    public void StartDraining(IPageSink? sink = null, long maxQueuedBytes = 512L << 20)
    {
        // Wake the drainers when a quarter of the buffer is full (the kernel's default is half): more headroom
        // for bursts. Only in an instance of our own.
        if (OwnsInstance && Instance.BufferPercent >= 0)
        {
            try { Instance.BufferPercent = 25; } catch (TraceException) { }
        }
        var cpus = Instance.Cpus;
        int pageSize = Instance.SubBufferSizeKB * 1024;
        if (sink is null)
        {
            _queue = new PageQueue(cpus.Count == 0 ? 1 : cpus.Max() + 1, maxQueuedBytes);
            sink = new BoundedSink(_queue);
            _cursors = cpus.Select(c => new CpuCursor(c, _queue.SourceFor(c), Catalog.HeaderPage, null, Losses)).ToArray();
        }
        _drainers = cpus.Select(c => new CpuDrainer(c, Instance.TracePipeRawPath(c), pageSize, sink)).ToArray();
        foreach (var d in _drainers) d.Start();
    }

    /// <summary>
    /// Batches of records, merged by time within each drain cycle, until <paramref name="shouldEnd"/> says so
    /// (then tracing stops and what is left in the buffers is read), or the token fires.
    /// </summary>
    public IEnumerable<List<TraceRecord>> ReadLive(RecordFilter? filter, Func<bool> shouldEnd, CancellationToken token)
    {
        if (_queue is null || _cursors is null) throw new InvalidOperationException("StartDraining was not called.");
        filter ??= LiveFilter;
        while (true)
        {
            bool ending = shouldEnd();
            if (ending) { NoteEndState(); StopRecording(drain: true); }
            else RefreshOwnThreads();
            foreach (var d in _drainers)
                if (d.Error is { } err) throw new TraceException(TraceErrorKind.Failed, $"Reading CPU {d.Cpu}'s ring buffer failed: {err.Message}", null, 0, err);

            RefreshCommands(force: ending);
            var merger = new RecordMerger(_cursors);
            var batch = new List<TraceRecord>(1024);
            while (merger.MoveNext())
            {
                ref var r = ref merger.Current;
                if (r.IsLost) CountLoss(r.Lost);
                if (filter is not null && !filter.Accept(r)) continue;
                batch.Add(Factory.Create(r));
                if (batch.Count >= 4096)
                {
                    Interlocked.Add(ref _events, batch.Count);
                    yield return batch;
                    batch = new List<TraceRecord>(4096);
                }
            }
            if (ending)
            {
                // Losses the kernel counted after the last page we saw still belong in the stream.
                foreach (var (cpu, count) in Losses.Outstanding())
                {
                    CountLoss(count);
                    ulong at = _cursors.FirstOrDefault(c => c.Cpu == cpu)?.LastTimestamp ?? 0;
                    batch.Add(new TraceLostEvents(cpu, at, count, at == 0 ? null : at, "ring buffer overrun"));
                }
            }
            if (batch.Count > 0)
            {
                Interlocked.Add(ref _events, batch.Count);
                yield return batch;
            }
            if (ending) yield break;
            try
            {
                _queue.Wait(TimeSpan.FromMilliseconds(100), token);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private void CountLoss(long count)
    {
        Interlocked.Increment(ref _lostMarkers);
        if (count > 0) Interlocked.Add(ref _lost, count);
    }

    /// <summary>Reads (and consumes) what the instance's buffers hold now, merged by time.</summary>
    public IEnumerable<TraceRecord> ReadBuffer(RecordFilter? filter = null)
    {
        RefreshCommands(force: true);
        RefreshOwnThreads();
        foreach (var r in ReadInstanceBuffer(Instance, Factory, filter, CountLoss, Losses, LiveFilter))
        {
            if (r is TraceEvent) Interlocked.Increment(ref _events);
            yield return r;
        }
    }

    /// <summary>Reads (consuming) the buffers of any instance, with the running kernel's formats, symbols and commands.</summary>
    public static IEnumerable<TraceRecord> ReadInstanceBuffer(TraceInstance instance, RecordFilter? filter) =>
        ReadInstanceBuffer(instance, EventFactory.ForLive(instance.Tracefs), filter);

    /// <summary>Reads (consuming) an instance's ring buffers: every CPU non-blocking until empty, merged by time.</summary>
    public static IEnumerable<TraceRecord> ReadInstanceBuffer(TraceInstance instance, EventFactory factory, RecordFilter? filter, Action<long>? onLoss = null,
        LossAccount? losses = null, RecordFilter? sessionFilter = null)
    {
        var header = EventCatalog.ForTracefs(instance.Tracefs).HeaderPage;
        var sources = OpenConsuming(instance);
        try
        {
            var cursors = sources.Select(x => new CpuCursor(x.Cpu, x.Pages, header, null, losses)).ToList();
            var merger = new RecordMerger(cursors);
            while (merger.MoveNext())
            {
                ref var r = ref merger.Current;
                if (r.IsLost) onLoss?.Invoke(r.Lost);
                if (sessionFilter is not null && !sessionFilter.Accept(r)) continue;
                if (filter is not null && !filter.Accept(r)) continue;
                yield return factory.Create(r);
            }
        }
        finally
        {
            foreach (var x in sources) x.Pages.Dispose();
        }
    }

    /// <summary>A consuming, non-blocking reader per CPU, bounded to about twice the buffer so that a busy writer
    /// cannot keep the reader there forever.</summary>
    private static (int Cpu, TracePipePageSource Pages)[] OpenConsuming(TraceInstance instance)
    {
        int pageSize = instance.SubBufferSizeKB * 1024;
        long maxPages = Math.Max(16, (long)Math.Max(instance.BufferSizeKB, 1) * 1024 / pageSize * 2);
        var opened = new List<(int, TracePipePageSource)>();
        try
        {
            foreach (int cpu in instance.Cpus) opened.Add((cpu, new TracePipePageSource(instance.TracePipeRawPath(cpu), pageSize, maxPages)));
            return opened.ToArray();
        }
        catch
        {
            foreach (var (_, p) in opened) p.Dispose();
            throw;
        }
    }

    // ---- recording to a file --------------------------------------------------------------------

    /// <summary>
    /// Records raw pages to per-CPU files until <paramref name="shouldEnd"/> says so or the token fires (Ctrl+C
    /// still writes what was recorded), then writes the trace.dat file. Nothing is decoded on the way.
    /// </summary>
    public TraceSessionSummary RecordToFile(string outFile, int version, string compression, Func<bool> shouldEnd, CancellationToken token, Action<long>? progress = null, Action? started = null)
    {
        var cpus = Instance.Cpus;
        int pageSize = Instance.SubBufferSizeKB * 1024;
        using var sink = new LinuxTrace.Engine.TraceDat.RecordingSink(outFile, cpus, pageSize);
        StartDraining(sink);
        Resume();
        started?.Invoke();
        while (!shouldEnd() && !token.IsCancellationRequested)
        {
            token.WaitHandle.WaitOne(100);
            progress?.Invoke(sink.Pages);
            RefreshOwnThreads();
        }
        NoteEndState();
        StopRecording(drain: true);
        foreach (var d in _drainers)
            if (d.Error is { } err) throw new TraceException(TraceErrorKind.Failed, $"Reading CPU {d.Cpu}'s ring buffer failed: {err.Message}", null, 0, err);
        var stats = Instance.GetCpuStats();
        RecordedEvents = stats.Sum(st => st.ReadEvents);
        RefreshCommands(force: true);
        var meta = LinuxTrace.Engine.TraceDat.TraceDatMetadata.FromTracefs(Instance, Events, stats);
        sink.Complete(meta, version, compression);
        return Stop();
    }

    /// <summary>Events written to the file by <see cref="RecordToFile"/> (the kernel's count of events read from its buffers).</summary>
    public long RecordedEvents { get; private set; }

    /// <summary>Writes what the instance's buffers hold now (consuming it) to a trace.dat file.</summary>
    public void ExportBuffer(string outFile, int version, string compression)
    {
        var sources = OpenConsuming(Instance);
        try
        {
            var meta = LinuxTrace.Engine.TraceDat.TraceDatMetadata.FromTracefs(Instance, Events);
            var cpus = sources.Select(x => new LinuxTrace.Engine.TraceDat.TraceDatCpuData(x.Cpu, x.Pages)).ToArray();
            LinuxTrace.Engine.TraceDat.TraceDatWriter.Write(outFile, meta, cpus, version, compression);
        }
        finally
        {
            foreach (var x in sources) x.Pages.Dispose();
        }
    }

    // ---- why a trace came back empty ------------------------------------------------------------

    private bool? _tracingOnAtEnd;
    private IReadOnlyList<string>? _eventsEnabledAtEnd;

    /// <summary>What the instance looked like when the trace ended, before LinuxTrace switched it off.</summary>
    private void NoteEndState()
    {
        if (_tracingOnAtEnd is not null) return;
        try { _tracingOnAtEnd = Instance.TracingOn; } catch (TraceException) { }
        try { _eventsEnabledAtEnd = Instance.EnabledEvents; } catch (TraceException) { }
    }

    /// <summary>
    /// For a trace that ended with no events: the causes that apply, each with what to try. Empty when none is
    /// known. Call after the trace ended (the per-CPU statistics are read from <paramref name="stats"/>).
    /// </summary>
    public IReadOnlyList<string> ExplainEmpty(IReadOnlyList<CpuBufferStats>? stats = null)
    {
        var reasons = new List<string>();
        var gone = ProcessIds.Where(p => !Directory.Exists($"/proc/{p}")).ToArray();
        if (ProcessIds.Count > 0 && gone.Length == ProcessIds.Count)
            reasons.Add($"the traced process{(gone.Length > 1 ? "es" : "")} {string.Join(", ", gone)} no longer exist{(gone.Length > 1 ? "" : "s")}: it may have done nothing that fires {string.Join(", ", Events)} before it exited");
        else if (ProcessIds.Count > 0)
            reasons.Add($"only pid{(ProcessIds.Count > 1 ? "s" : "")} {string.Join(", ", ProcessIds)} {(ProcessIds.Count > 1 ? "are" : "is")} traced, and {(ProcessIds.Count > 1 ? "they" : "it")} fired none of {string.Join(", ", Events)}; -FollowChildren adds the processes {(ProcessIds.Count > 1 ? "they start" : "it starts")}");
        if (!string.IsNullOrWhiteSpace(Filter))
            reasons.Add($"the kernel filter '{Filter}' may match no event: try the trace without -Filter");
        if (_tracingOnAtEnd == false)
            reasons.Add($"tracing was switched off in instance '{InstanceName}' by someone else while the trace ran (tracing_on is 0)");
        if (_eventsEnabledAtEnd is { } enabled)
        {
            var off = Events.Where(e => e.System != "ftrace" && !enabled.Contains(e.ToString())).ToArray();
            if (off.Length > 0) reasons.Add($"{string.Join(", ", off)} {(off.Length > 1 ? "were" : "was")} disabled by someone else while the trace ran");
        }
        if (stats is { Count: > 0 } && stats.All(s => s.Entries == 0 && s.ReadEvents == 0 && s.Lost == 0))
            reasons.Add($"no CPU's ring buffer received an event: nothing fired {string.Join(", ", Events)} during the trace{(ExcludesSelf ? " (LinuxTrace's own process is left out; -IncludeSelf keeps it)" : "")}");
        return reasons;
    }

    // ---- ending ---------------------------------------------------------------------------------

    /// <summary>Stops recording; with <paramref name="drain"/>, the drainers read what is left first.</summary>
    private void StopRecording(bool drain)
    {
        try { Instance.TracingOn = false; } catch (TraceException) { }
        if (_queue is not null) _queue.Closed = true;
        foreach (var d in _drainers) d.Stop();
        if (drain) foreach (var d in _drainers) d.DrainRemaining();
    }

    /// <summary>Ends the session: stops recording, reads the final statistics, and restores or removes the instance.</summary>
    public TraceSessionSummary Stop()
    {
        lock (_stopGate)
        {
            if (_summary is not null) return _summary;
            StopRecording(drain: false);
            RefreshCommands(force: true);
            IReadOnlyList<CpuBufferStats> stats;
            try { stats = Instance.GetCpuStats(); } catch (Exception) { stats = Array.Empty<CpuBufferStats>(); }
            var errors = TearDown();
            EndTime = DateTime.Now;
            State = TraceSessionState.Stopped;
            Active.TryRemove(Id, out _);
            _summary = new TraceSessionSummary(Name, InstanceName, StartTime, EndTime.Value, EventCount, LostEventCount, LossReports, stats,
                errors.Select(e => e.Message).ToArray());
            return _summary;
        }
    }

    private List<Exception> TearDown()
    {
        var errors = new List<Exception>();
        foreach (var d in _drainers)
        {
            try { d.Dispose(); } catch (Exception e) { errors.Add(e); }
        }
        _drainers = Array.Empty<CpuDrainer>();
        if (OwnsInstance)
        {
            try { Instance.TracingOn = false; } catch (Exception e) { errors.Add(e); }
            try { Instance.WriteFile("events/enable", "0"); } catch (Exception e) { errors.Add(e); }
            try { Instance.SetEventPids(Array.Empty<int>()); } catch (Exception e) { errors.Add(e); }
            try { Instance.Tracefs.RemoveInstance(Instance.Name); } catch (Exception e) { errors.Add(e); }
        }
        else if (_restore is not null)
        {
            errors.AddRange(_restore.Restore());
        }
        return errors;
    }

    public void Dispose() => Stop();
}

/// <summary>What a finished session recorded and lost.</summary>
public sealed record TraceSessionSummary(
    string Name,
    string Instance,
    DateTime StartTime,
    DateTime EndTime,
    long EventCount,
    long LostEventCount,
    long LossReports,
    IReadOnlyList<CpuBufferStats> CpuStats,
    IReadOnlyList<string> CleanupErrors)
{
    public TimeSpan Duration => EndTime - StartTime;

    /// <summary>Events the kernel overwrote or dropped, per its per-CPU statistics.</summary>
    public long KernelLost => CpuStats.Sum(s => s.Lost);
}

/// <summary>Queues pages for the consumer; when the queue is over budget, stops taking pages so the kernel accounts the loss.</summary>
internal sealed class BoundedSink(PageQueue queue) : IPageSink
{
    public void Accept(int cpu, byte[] page, int length)
    {
        while (queue.IsFull && !queue.Closed) Thread.Sleep(1); // back-pressure: the kernel buffer absorbs (and, if it must, counts) the excess
        queue.Accept(cpu, page, length);
    }
}

