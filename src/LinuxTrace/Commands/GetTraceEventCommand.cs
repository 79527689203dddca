using System.Management.Automation;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Reads (and consumes) the events a session's or an instance's ring buffer holds, filtered before objects are made.</summary>
[Cmdlet(VerbsCommon.Get, "TraceEvent", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(TraceEvent), typeof(TraceLostEvents))]
public sealed partial class GetTraceEventCommand : LinuxTraceCmdlet
{
    private const string SessionSet = "Session", InstanceSet = "Instance";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = InstanceSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

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

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case SessionSet:
                var s = Session!;
                if (s.State != TraceSessionState.Running)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException($"Session '{s.Name}' has stopped; its buffer is gone."), "SessionStopped", ErrorCategory.InvalidOperation, s));
                    return;
                }
                Emit(s.ReadBuffer(BuildFilter(s.Instance, s.Catalog)));
                break;
            case InstanceSet:
                var inst = ResolveInstance(Instance);
                var catalog = Terminating(() => EventCatalog.ForTracefs(inst.Tracefs), "ReadFormatsFailed", inst.DisplayName);
                var commands = new CommandResolver(useProc: true);
                if (TracefsFile.TryRead(Path.Combine(inst.Tracefs.Root, "saved_cmdlines"), out var cmdlines)) commands.Load(cmdlines);
                Emit(TraceSession.ReadInstanceBuffer(inst, new EventFactory(catalog, commands), BuildFilter(inst, catalog)));
                break;
        }
    }

    private RecordFilter? BuildFilter(TraceInstance inst, EventCatalog catalog)
    {
        var filter = new RecordFilter();
        if (Event is { Length: > 0 })
        {
            var events = Terminating(() => EventSelector.Resolve(inst.Tracefs.Top, Event), "EventNotFound", Event);
            filter.AllowEventIds(events.Select(e => catalog.GetByName(e.System, e.Name)?.Id ?? -1));
        }
        if (ProcessId is { Length: > 0 }) filter.AllowPids(ProcessId);
        if (Cpu is { Length: > 0 }) filter.AllowCpus(Cpu);
        return filter.IsEmpty ? null : filter;
    }

    private void Emit(IEnumerable<TraceRecord> records)
    {
        var batch = new List<TraceRecord>(1024);
        try
        {
            foreach (var r in records)
            {
                batch.Add(r);
                if (batch.Count == 1024)
                {
                    WriteObject(batch, enumerateCollection: true);
                    batch.Clear();
                }
            }
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "TraceReadFailed", null));
        }
        WriteObject(batch, enumerateCollection: true);
    }
}
