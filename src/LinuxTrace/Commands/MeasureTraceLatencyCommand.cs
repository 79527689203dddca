using System.Management.Automation;
using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.RingBuffer;
using LinuxTrace.Engine.Symbols;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Pairs each start event with the next end event of the same key and reports the latencies per group:
/// count, minimum, maximum, mean, percentiles and a histogram, computed in the engine.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "TraceLatency", DefaultParameterSetName = LiveSet, SupportsShouldProcess = true)]
[OutputType(typeof(TraceLatencyGroup))]
public sealed class MeasureTraceLatencyCommand : AggregateCommandBase
{
    /// <summary>The event that starts the interval (raw_syscalls:sys_enter, sched:sched_wakeup, block:block_rq_issue).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] Start { get; set; } = [];

    /// <summary>The event that ends it (raw_syscalls:sys_exit, sched:sched_switch, block:block_rq_complete).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] End { get; set; } = [];

    /// <summary>Fields of the start event that identify it (common_pid, the task, by default): sched_wakeup's pid, block_rq_issue's dev and sector.</summary>
    [Parameter]
    public string[] StartKey { get; set; } = [];

    /// <summary>The end event's fields that must equal -StartKey's, one to one (sched_switch's next_pid); -StartKey's names by default.</summary>
    [Parameter]
    public string[] EndKey { get; set; } = [];

    /// <summary>Fields of the start event (or ProcessName, ProcessId, CpuNumber) to group the latencies by.</summary>
    [Parameter]
    public string[] GroupBy { get; set; } = [];

    /// <summary>Linear histogram buckets of this many nanoseconds, instead of powers of two.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Linear { get; set; }

    /// <summary>Lets the kernel pair the events and keep the histogram (hist triggers and a synthetic event, as
    /// Documentation/trace/histogram.rst builds one): no event data leaves the kernel. Live only; log2 buckets; the
    /// keys and -GroupBy must be numbers or fixed-size strings; -Filter applies to the start event.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    public SwitchParameter InKernel { get; set; }

    private LatencyAggregator? _agg;
    private List<string>? _starts, _ends;

    private LatencyAggregator Agg => _agg ??= new LatencyAggregator(
        new LatencySpec(Start, End, StartKey, EndKey, GroupBy, Linear),
        f => Matches(Start, f), f => Matches(End, f));

    private static bool Matches(string[] patterns, EventFormat f) =>
        patterns.Any(p => EventSelector.Match([new EventName(f.System, f.Name)], p).Any());

    protected override IReadOnlyList<string> SourceEvents => _starts ??= Start.Concat(End).Distinct().ToList();
    protected override string What => $"Measuring {string.Join(", ", Start)} to {string.Join(", ", End)}";

    protected override void Check(IReadOnlyList<EventFormat> formats)
    {
        var starts = formats.Where(f => Matches(Start, f)).ToList();
        var ends = formats.Where(f => Matches(End, f)).ToList();
        _ends = ends.Select(f => f.FullName).ToList();
        Agg.Check(starts, ends);
    }

    protected override void ProcessRecord()
    {
        if (InKernel) RunInKernel();
        else base.ProcessRecord();
    }

    private void RunInKernel()
    {
        if (Linear > 0)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-InKernel keeps the kernel's log2 buckets: leave out -Linear, or -InKernel."), "InKernelLinear", ErrorCategory.InvalidArgument, Linear));
        if (!ShouldProcess(Instance ?? "a private instance", $"Measure {string.Join(", ", Start)} to {string.Join(", ", End)} in the kernel (hist triggers and a synthetic event)")) return;
        InKernelLatency? lat = null;
        IDisposable Setup(TraceSession s)
        {
            EventFormat One(string[] patterns, string what)
            {
                var names = EventSelector.Resolve(s.Instance, patterns).ToList();
                if (names.Count != 1)
                    throw new TraceException(TraceErrorKind.InvalidArgument, $"-InKernel pairs one {what} event with one {(what == "start" ? "end" : "start")} event; {string.Join(", ", patterns)} names {names.Count}.") { ErrorId = "OneEventEach" };
                return s.Catalog.GetByName(names[0].System, names[0].Name)
                    ?? throw new TraceException(TraceErrorKind.NotFound, $"No format for {names[0]}.") { ErrorId = "EventNotFound" };
            }
            lat = InKernelLatency.Create(s.Instance, One(Start, "start"), One(End, "end"), StartKey, EndKey, GroupBy, Filter);
            return lat;
        }
        var session = Terminating(() => TraceSession.Start(LiveOptions([], null, Setup), Tracefs), "StartTraceFailed", null);
        var keys = new CtrlCAsInput(this);
        IReadOnlyList<TraceLatencyGroup> groups = [];
        long dropped = 0;
        try
        {
            var progress = new ProgressTimer(this, 1, $"{What} in the kernel (Ctrl+C ends it and shows the result)", showWhenLast: true);
            foreach (var _ in session.Stream(PipelineStopToken))
            {
                if (keys.CtrlCPressed()) session.RequestStop();
                progress.Update(() => "the kernel counts; nothing is read until the end");
            }
            progress.Complete();
            groups = Terminating(() => lat!.Read(), "HistogramReadFailed", lat!.SyntheticEvent);
            dropped = lat!.Dropped;
        }
        catch (TraceException e)
        {
            ThrowTerminatingError(ErrorFor(e, "TraceReadFailed", session.Name));
        }
        finally
        {
            EndLive(session, keys);
        }
        if (session.Interrupted) throw new PipelineStoppedException();
        foreach (var g in groups) WriteObject(g);
        if (dropped > 0) WriteWarning($"The kernel's histogram was full: {dropped:N0} entries were dropped.");
    }

    protected override void Visit(in RecordRef r, EventFormat? f) => Agg.Add(r, f);
    protected override void Add(TraceEvent e) => Agg.Add(e);
    protected override void AddLost(long count) { }
    protected override string Progress(Func<int, string> commandOf) => $"{Agg.Pairs:N0} pairs of {Agg.Starts:N0} starts and {Agg.Ends:N0} ends";

    protected override void Emit(Func<int, string> commandOf, SyscallTable? syscalls)
    {
        foreach (var g in Agg.Results(commandOf, syscalls)) WriteObject(g);
        long unmatchedStarts = Agg.ReplacedStarts + Agg.PendingStarts;
        if (unmatchedStarts > 0 || Agg.UnmatchedEnds > 0)
            WriteWarning($"{Agg.Pairs:N0} pairs; {unmatchedStarts:N0} starts had no end ({Agg.ReplacedStarts:N0} replaced by a later start of the same key, {Agg.PendingStarts:N0} still open at the end) and {Agg.UnmatchedEnds:N0} ends had no start (it came before the trace began).");
        if (Agg.Lost > 0) WriteWarning($"{Agg.Lost} events were lost (ring-buffer overrun): some pairs are missing or unmatched.");
    }
}
