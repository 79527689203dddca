using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Lists the kernel functions the function tracers can trace (available_filter_functions).</summary>
[Cmdlet(VerbsCommon.Get, "TraceFunction")]
[OutputType(typeof(TraceFunction))]
public sealed class GetTraceFunctionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only functions of these modules ("kernel" for the core kernel).</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Module { get; set; }

    private IReadOnlyList<TraceFunction>? _functions;

    protected override void ProcessRecord()
    {
        _functions ??= Terminating(() => FunctionList.Read(Tracefs), "FunctionListUnavailable", "available_filter_functions");
        var names = Matcher(Name);
        var modules = Matcher(Module);
        var hits = new List<TraceFunction>();
        foreach (var f in _functions)
            if (names(f.Name) && modules(f.Module ?? "kernel")) hits.Add(f);
        WriteObject(hits, enumerateCollection: true);
        ReportUnmatched(Name, hits.Select(h => h.Name), "traceable kernel function", "FunctionNotFound", _functions.Select(f => f.Name));
    }
}
