using System.Management.Automation;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Sets the roots of the function_graph tracer (set_graph_function), the functions it leaves out
/// (set_graph_notrace) and its depth limit (max_graph_depth). Every name is checked before anything is written.</summary>
[Cmdlet(VerbsCommon.Set, "GraphFunction", SupportsShouldProcess = true)]
[OutputType(typeof(GraphFunctionSetting))]
public sealed class SetGraphFunctionCommand : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Function")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Functions (and what they call) the graph leaves out.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? NoTrace { get; set; }

    /// <summary>How deep the graph goes below each root (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int? MaxDepth { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    /// <summary>Add to the lists instead of replacing them.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not { Length: > 0 } && NoTrace is not { Length: > 0 } && MaxDepth is null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the graph's root functions (-Name), the functions to leave out (-NoTrace), or a depth (-MaxDepth). Clear-GraphFunction clears them."),
                "NothingToSet", ErrorCategory.InvalidArgument, null));
        }
        var inst = ResolveInstance(Instance);
        Terminating(() => FunctionFilters.RequireFile(inst, FunctionFilters.GraphFunctionFile, "the function_graph tracer"), "GraphTracerNotAvailable", inst.DisplayName);
        Terminating(() => FunctionFilters.Validate(inst.Tracefs, (Name ?? []).Concat(NoTrace ?? []), () => EventFactory.LiveSymbols.Value), "FunctionNotFound", Name);
        string verb = Append ? "Add" : "Set";
        if (Name is { Length: > 0 } && ShouldProcess($"{FunctionFilters.GraphFunctionFile} of instance {inst.DisplayName}", $"{verb} graph roots {string.Join(", ", Name)}"))
            Terminating(() => FunctionFilters.WriteList(inst, FunctionFilters.GraphFunctionFile, Name, Append), "SetGraphFunctionFailed", inst.DisplayName);
        if (NoTrace is { Length: > 0 } && ShouldProcess($"{FunctionFilters.GraphNoTraceFile} of instance {inst.DisplayName}", $"{verb} graph exclusions {string.Join(", ", NoTrace)}"))
            Terminating(() => FunctionFilters.WriteList(inst, FunctionFilters.GraphNoTraceFile, NoTrace, Append), "SetGraphFunctionFailed", inst.DisplayName);
        if (MaxDepth is { } d && ShouldProcess($"{FunctionFilters.MaxGraphDepthFile} of instance {inst.DisplayName}", $"Set the graph depth limit to {d}"))
            Terminating(() => FunctionFilters.SetMaxGraphDepth(inst, d), "SetGraphFunctionFailed", inst.DisplayName);
        if (PassThru) WriteObject(Terminating(() => FunctionFilters.GetGraph(inst), "GetGraphFunctionFailed", inst.DisplayName));
    }
}
