using System.Management.Automation;
using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>
/// What Set-FunctionFilter and Set-GraphFunction share: an instance's two lists of function names (those traced, or
/// the graph's roots; and those left out), every name checked before anything is written, then replaced or appended,
/// each write under ShouldProcess.
/// </summary>
public abstract class SetFunctionListCommandBase : LinuxTraceCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Function")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Functions left out.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FunctionCompleter))]
    public string[]? NoTrace { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    /// <summary>Add to the lists instead of replacing them.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The file of the names and how a change to it is described ("set_ftrace_filter", "traced functions").</summary>
    protected abstract (string File, string What) NamesFile { get; }

    /// <summary>The file of the names left out, and how a change to it is described.</summary>
    protected abstract (string File, string What) NoTraceFile { get; }

    /// <summary>The tracer the files belong to, for the error when the kernel has none ("the function_graph tracer").</summary>
    protected abstract string TracerName { get; }

    /// <summary>The error ids: the tracer's files missing, a write failing, reading back failing.</summary>
    protected abstract (string NotAvailable, string Failed, string ReadFailed) ErrorIds { get; }

    /// <summary>The instance's settings as they are now (written with -PassThru).</summary>
    protected abstract object ReadSettings(TraceInstance instance);

    /// <summary>Checks the tracer's files and every name, then writes the lists (and <paramref name="more"/>, under
    /// its own ShouldProcess); with -PassThru, the settings as they are then.</summary>
    protected void Apply(IReadOnlyList<string> names, IReadOnlyList<string> notrace, Action<TraceInstance>? more = null)
    {
        var inst = ResolveInstance(Instance);
        var ids = ErrorIds;
        Terminating(() => FunctionFilters.RequireFile(inst, NamesFile.File, TracerName), ids.NotAvailable, inst.DisplayName);
        Terminating(() => FunctionFilters.Validate(inst.Tracefs, names.Concat(notrace), () => EventFactory.LiveSymbols.Value), "FunctionNotFound", Name);
        string verb = Append ? "Add" : "Set";
        foreach (var ((file, what), list) in new[] { (NamesFile, names), (NoTraceFile, notrace) })
        {
            if (list.Count > 0 && ShouldProcess($"{file} of instance {inst.DisplayName}", $"{verb} {what} {string.Join(", ", list)}"))
                Terminating(() => FunctionFilters.WriteList(inst, file, list, Append), ids.Failed, inst.DisplayName);
        }
        if (more is not null) Terminating(() => more(inst), ids.Failed, inst.DisplayName);
        if (PassThru) WriteObject(Terminating(() => ReadSettings(inst), ids.ReadFailed, inst.DisplayName));
    }
}
