using System.Management.Automation;
using LinuxTrace.Engine.Reading;
using LinuxTrace.Engine.Aggregation;

namespace LinuxTrace.Commands;

/// <summary>Writes a flame graph of stacks (events recorded with -StackTrace and/or -UserStackTrace; user frames below kernel frames) or of function-graph calls: an
/// interactive SVG, or the folded text flamegraph.pl, inferno and speedscope read.</summary>
[Cmdlet(VerbsData.Export, "TraceFlameGraph", DefaultParameterSetName = InputSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTraceFlameGraphCommand : LinuxTraceCmdlet
{
    private const string InputSet = "InputObject", FileSet = "TraceFile", SessionSet = "Session";

    /// <summary>The file to write (.svg, or the folded text with -Format Folded).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    /// <summary>Events with stacks, or FunctionCall objects.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public PSObject? InputObject { get; set; }

    /// <summary>trace.dat files to read the events (with their stacks) or function_graph calls from.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    public string[] TraceFile { get; set; } = [];

    /// <summary>A session's buffer to read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    public TraceSession? Session { get; set; }

    /// <summary>A numeric property of each event that weighs its stack (a latency, bytes); each event counts 1 without it.</summary>
    [Parameter]
    public string? Weight { get; set; }

    /// <summary>Off-CPU time: sched_switch stacks weighted by the time until the task that stopped ran again.</summary>
    [Parameter]
    public SwitchParameter OffCpu { get; set; }

    /// <summary>Put each stack under its process's name.</summary>
    [Parameter]
    public SwitchParameter ByProcess { get; set; }

    [Parameter]
    [ValidateSet("Svg", "Folded")]
    public string Format { get; set; } = "Svg";

    [Parameter]
    public string? Title { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly FlameGraph _graph = new();
    private FlameGraphSamples? _samples;
    private bool _times;

    protected override void BeginProcessing() => _samples = new FlameGraphSamples(_graph, ByProcess);

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case FileSet:
                foreach (var file in ResolvePaths(TraceFile, null))
                {
                    using var reader = Terminating(() => new TraceFileReader([file]), "ReadTraceFileFailed", file);
                    bool graph = reader.Files.Any(f => f.Formats.Any(x => x.System == "ftrace" && x.Name == "funcgraph_exit"));
                    var records = graph ? reader.ReadCalls(null, includeOthers: true) : reader.Read(null, null);
                    Terminating(() => { foreach (var r in records) Take(r, null); }, "ReadTraceFileFailed", file);
                }
                break;
            case SessionSet:
                if (!IsRunning(Session!)) return;
                foreach (var r in Session!.Tracer == "function_graph" ? Session.ReadCalls() : Session.ReadBuffer(null)) Take(r, null);
                break;
            default:
                if (InputObject is not null) Take(InputObject.BaseObject, InputObject);
                break;
        }
    }

    private void Take(object o, PSObject? wrapper)
    {
        switch (o)
        {
            case FunctionCall c:
                _times = true;
                _samples!.AddCall(c);
                break;
            case TraceEvent e when OffCpu:
                _times = true;
                _samples!.AddOffCpu(e);
                break;
            case TraceEvent e:
                long w = 1;
                if (Weight is not null)
                {
                    object? v = (wrapper ?? PSObject.AsPSObject(e)).Properties[Weight]?.Value;
                    if (v is PSObject p) v = p.BaseObject;
                    w = v switch { TimeSpan t => t.Ticks * 100, null => 0, _ => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) };
                    if (v is TimeSpan || Weight.EndsWith("Ns", StringComparison.OrdinalIgnoreCase)) _times = true;
                }
                _samples!.AddEvent(e, w);
                break;
        }
    }

    protected override void EndProcessing()
    {
        string path = GetUnresolvedProviderPathFromPSPath(Path);
        if (_graph.Samples == 0)
        {
            string why = _samples!.WithoutStack > 0
                ? $"{_samples.WithoutStack} events came without a stack: record them with Start-Trace -StackTrace or -UserStackTrace (or trace-cmd record -T, -O userstacktrace)."
                : "No events with stacks and no function calls came in.";
            WriteError(new ErrorRecord(new InvalidOperationException("Nothing to draw. " + why), "NoStacks", ErrorCategory.InvalidData, null));
            return;
        }
        if (_samples!.WithoutStack > 0) WriteWarning($"{_samples.WithoutStack} events had no stack and are not in the graph.");
        if (!ShouldProcess(path, $"Write a flame graph of {_graph.Samples} stacks")) return;
        string unit = _times ? "ns" : "samples";
        string title = Title ?? (OffCpu ? "Off-CPU time" : _times ? "Time" : "Kernel stacks");
        string text = Format == "Folded" ? _graph.ToFolded() : _graph.ToSvg(title, unit);
        try { File.WriteAllText(path, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "WriteFlameGraphFailed", ErrorCategory.WriteError, path));
        }
        if (PassThru) WriteFile(path);
    }
}
