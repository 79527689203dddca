using System.Management.Automation;
using LinuxTrace.Engine.Reading;

namespace LinuxTrace.Commands;

/// <summary>Count, total, self, minimum, maximum and average duration per function, computed in the engine: from
/// FunctionCall objects in the pipeline, or straight from trace.dat files without making an object per record.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "FunctionCall", DefaultParameterSetName = InputSet)]
[OutputType(typeof(FunctionCallStatistics))]
public sealed class MeasureFunctionCallCommand : LinuxTraceCmdlet
{
    private const string PathSet = "Path", InputSet = "InputObject";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public FunctionCall? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Only these functions (wildcards).</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Function { get; set; }

    private readonly FunctionCallAggregator _aggregate = new();
    private Func<string, bool> _match = _ => true;

    protected override void BeginProcessing() => _match = Matcher(Function);

    protected override void ProcessRecord()
    {
        if (InputObject is { } c && _match(c.Function)) _aggregate.Add(c);
    }

    protected override void EndProcessing()
    {
        if (Path is not null)
        {
            var files = ResolvePaths(Path, null);
            if (files.Count == 0) return;
            using var reader = Terminating(() => new TraceFileReader(files), "InvalidTraceFile", files[0]);
            Terminating(() =>
            {
                foreach (var r in reader.ReadCalls(null, includeOthers: false))
                    if (r is FunctionCall call && _match(call.Function)) _aggregate.Add(call);
            }, "InvalidTraceFile", files[0]);
        }
        WriteObject(_aggregate.Results(), enumerateCollection: true);
    }
}
