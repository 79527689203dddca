using System.Management.Automation;
using LinuxTrace.Engine.Graph;

namespace LinuxTrace.Commands;

/// <summary>Prints FunctionCall objects as the function_graph tracer and trace-cmd report print a graph: indented by
/// depth, "func();" for leaves, "func() {" … "}" around callees, durations with the overhead markers.</summary>
[Cmdlet(VerbsCommon.Format, "TraceGraph")]
[OutputType(typeof(string))]
public sealed class FormatTraceGraphCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public FunctionCall? InputObject { get; set; }

    /// <summary>Add the task column (command-pid), as the funcgraph-proc option does.</summary>
    [Parameter]
    public SwitchParameter ShowProcess { get; set; }

    /// <summary>Leave out the column header.</summary>
    [Parameter]
    public SwitchParameter NoHeader { get; set; }

    private readonly List<FunctionCall> _calls = new();

    protected override void ProcessRecord()
    {
        if (InputObject is not null) _calls.Add(InputObject);
    }

    protected override void EndProcessing()
    {
        if (_calls.Count == 0) return;
        if (!NoHeader) WriteObject(ShowProcess ? GraphText.HeaderWithProcess : GraphText.Header);
        foreach (var line in GraphText.Format(_calls, ShowProcess)) WriteObject(line);
    }
}
