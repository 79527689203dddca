using System.Management.Automation;
using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Commands;

/// <summary>Counts events by group, and the sum, minimum, maximum, average and histogram of a numeric field, in the
/// engine: from a live trace, trace.dat files, a session or the pipeline, without an object per event.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "TraceEvent", DefaultParameterSetName = LiveSet, SupportsShouldProcess = true)]
[OutputType(typeof(TraceEventGroup))]
public sealed class MeasureTraceEventCommand : AggregateCommandBase
{
    /// <summary>Events to trace (live) or to keep (files, sessions): system:event patterns.</summary>
    [Parameter(Position = 0, ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SessionSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] Event { get; set; } = [];

    /// <summary>Kernel field names and record properties (ProcessId, ProcessName, CpuNumber, EventName) to group by; EventName when none.</summary>
    [Parameter]
    public string[] GroupBy { get; set; } = [];

    /// <summary>A numeric kernel field to sum, bound and average (bytes_req, len, ret …).</summary>
    [Parameter]
    public string? Property { get; set; }

    [Parameter] public SwitchParameter Sum { get; set; }
    [Parameter] public SwitchParameter Minimum { get; set; }
    [Parameter] public SwitchParameter Maximum { get; set; }
    [Parameter] public SwitchParameter Average { get; set; }

    /// <summary>A histogram of -Property: power-of-two buckets, or buckets of -Linear width.</summary>
    [Parameter] public SwitchParameter Histogram { get; set; }

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Linear { get; set; }

    private EventAggregator? _agg;
    private EventAggregator Agg => _agg ??= new EventAggregator(new AggregationSpec(GroupBy, Property, Histogram || Linear > 0, Linear, Wanted));

    private FieldStatistics Wanted
    {
        get
        {
            var w = (Sum ? FieldStatistics.Sum : 0) | (Minimum ? FieldStatistics.Minimum : 0) | (Maximum ? FieldStatistics.Maximum : 0) | (Average ? FieldStatistics.Average : 0);
            return w == FieldStatistics.None ? FieldStatistics.All : w;
        }
    }

    protected override IReadOnlyList<string> SourceEvents => Event;
    protected override string What => "Measuring " + (Event.Length > 0 ? string.Join(", ", Event) : "events");

    protected override void BeginProcessing()
    {
        if (Property is null && (Sum || Minimum || Maximum || Average || Histogram || Linear > 0))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Sum, -Minimum, -Maximum, -Average, -Histogram and -Linear measure a field: name it with -Property."), "NoProperty", ErrorCategory.InvalidArgument, null));
    }

    protected override void Check(IReadOnlyList<EventFormat> formats) => Agg.Check(formats);
    protected override void Visit(in RecordRef r, EventFormat? f) => Agg.Add(r, f);
    protected override void Add(TraceEvent e) => Agg.Add(e);
    protected override void AddLost(long count) { }
    protected override string Progress(Func<int, string> commandOf) => $"{Agg.Events:N0} events in {Agg.GroupCount} groups; {Agg.Top(3, commandOf)}";

    protected override void Emit(Func<int, string> commandOf, SyscallTable? syscalls)
    {
        foreach (var g in Agg.Results(commandOf, syscalls)) WriteObject(g);
        if (Agg.Lost > 0) WriteWarning($"{Agg.Lost} events were lost before they could be counted (ring-buffer overrun): the counts are low by at most that much.");
    }
}
