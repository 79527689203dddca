using System.Management.Automation;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;
using LinuxTrace.Engine.Sessions;

namespace LinuxTrace.Commands;

/// <summary>Reads (and consumes) the events a session's or an instance's ring buffer holds, filtered before objects are made.</summary>
[Cmdlet(VerbsCommon.Get, "TraceEvent", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(TraceEvent), typeof(TraceLostEvents))]
public sealed partial class GetTraceEventCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", NameSet = "Name", InstanceSet = "Instance", PathSet = "Path", LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    /// <summary>A session of this process, or a detached trace (Start-Trace -Detached), by name: reads (and consumes) what
    /// its buffer holds now; a detached trace goes on recording.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(SessionCompleter))]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = InstanceSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    /// <summary>trace.dat files to read (wildcards allowed); several files are merged by time.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[]? LiteralPath { get; set; }

    /// <summary>The buffer (instance) of the file to read; the top one by default.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(FileBufferCompleter))]
    public string? Buffer { get; set; }

    /// <summary>Only events at or after this time (since boot, in the trace clock).</summary>
    [Parameter]
    [Seconds]
    public TimeSpan? StartTime { get; set; }

    /// <summary>Only events at or before this time.</summary>
    [Parameter]
    [Seconds]
    public TimeSpan? EndTime { get; set; }

    /// <summary>Only these events (patterns as for Start-Trace).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[]? Event { get; set; }

    [Parameter]
    [Alias("Pid")]
    public int[]? ProcessId { get; set; }

    [Parameter]
    public int[]? Cpu { get; set; }

    /// <summary>Stop after this many records (events and lost-event reports), as Get-WinEvent -MaxEvents does.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxEvents { get; set; } = long.MaxValue;

    private readonly List<string> _files = new();

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet or LiteralPathSet:
                _files.AddRange(ResolvePaths(Path, LiteralPath));
                break;
            case SessionSet:
                var s = Session!;
                if (!IsRunning(s)) return;
                Emit(s.ReadBuffer(BuildFilter(s.Instance, s.Catalog)));
                break;
            case NameSet when TraceSession.GetActive().FirstOrDefault(x => x.Name == Name) is { } named:
                if (!IsRunning(named)) return;
                Emit(named.ReadBuffer(BuildFilter(named.Instance, named.Catalog)));
                break;
            case NameSet or InstanceSet:
                var inst = ParameterSetName == InstanceSet ? ResolveInstance(Instance) : ResolveDetached(Name!);
                var catalog = Terminating(() => EventCatalog.ForTracefs(inst.Tracefs), "ReadFormatsFailed", inst.DisplayName);
                Emit(InstanceBuffer.Read(inst, BuildFilter(inst, catalog)));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_files.Count == 0) return;
        // a bad file among several is an error naming it; the others are still read
        using var reader = Terminating(() => new TraceFileReader(_files, (f, e) => WriteError(ErrorFor(e, "InvalidTraceFile", f))), "InvalidTraceFile", _files[0]);
        if (reader.Files.Count == 0) return;
        var ids = Event is { Length: > 0 } ? Terminating(() => reader.ResolveEvents(Event), "EventNotFound", Event) : null;
        var filters = reader.Files.Select((_, i) =>
        {
            var f = CommonFilter();
            if (ids is not null) f.AllowEventIds(ids[i]);
            return f.IsEmpty ? null : f;
        }).ToArray();
        Terminating(() => reader.Files.Select(f => f.GetBuffer(Buffer)).ToArray(), "BufferNotFound", Buffer);
        if (reader.UnalignedHosts.Count > 0)
            WriteWarning($"These files come from different hosts or clocks and are merged on their raw time stamps, which need not agree: {string.Join("; ", reader.UnalignedHosts)}. Record each with its wall-clock offset (Start-Trace -OutFile -WallClock, trace-cmd record --date) to merge them on one timeline.");
        Emit(reader.Read(Buffer, filters, PipelineStopToken));
    }

    /// <summary>The instance of the detached trace <paramref name="name"/>; not found is a terminating error.</summary>
    private TraceInstance ResolveDetached(string name)
    {
        var trace = DetachedTrace.GetAll(Tracefs).FirstOrDefault(t => t.Name == name);
        if (trace is null)
            ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"There is no trace session or detached trace named {name} (Get-TraceSession lists them)."),
                "SessionNotFound", ErrorCategory.ObjectNotFound, name));
        return trace!.Instance;
    }

    private RecordFilter CommonFilter()
    {
        var filter = new RecordFilter();
        if (ProcessId is { Length: > 0 }) filter.AllowPids(ProcessId);
        if (Cpu is { Length: > 0 }) filter.AllowCpus(Cpu);
        if (StartTime is { } s) filter.StartNs = (ulong)Math.Max(0, s.Ticks) * 100;
        if (EndTime is { } e) filter.EndNs = (ulong)Math.Max(0, e.Ticks) * 100;
        return filter;
    }

    private RecordFilter? BuildFilter(TraceInstance inst, EventCatalog catalog)
    {
        var filter = CommonFilter();
        if (Event is { Length: > 0 })
        {
            var events = Terminating(() => EventSelector.Resolve(inst.Tracefs.Top, Event, includeFtrace: true), "EventNotFound", Event);
            filter.AllowEvents(catalog, events);
        }
        return filter.IsEmpty ? null : filter;
    }

    /// <summary>Writes the records in batches of up to 1024, a batch no later than 50 ms after its first record was read
    /// (a rare event reaches Select-Object -First at once, not when a whole batch or the file is read), up to MaxEvents.</summary>
    private void Emit(IEnumerable<TraceRecord> records)
    {
        var batch = new List<TraceRecord>(1024);
        long written = 0;
        long firstAt = 0;
        try
        {
            foreach (var r in records)
            {
                if (batch.Count == 0) firstAt = Environment.TickCount64;
                batch.Add(r);
                if (written + batch.Count >= MaxEvents) break;
                if (batch.Count == 1024 || Environment.TickCount64 - firstAt >= 50)
                {
                    WriteObject(batch, enumerateCollection: true);
                    written += batch.Count;
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (Stopping)
        {
            return; // the pipeline is stopping: PowerShell ends it
        }
        catch (TraceException e)
        {
            WriteObject(batch, enumerateCollection: true); // what was read before the bad spot is not lost
            batch.Clear();
            ThrowTerminatingError(ErrorFor(e, e.Kind == TraceErrorKind.InvalidData ? "InvalidTraceFile" : "TraceReadFailed", e.Path));
        }
        WriteObject(batch, enumerateCollection: true);
    }
}
