using System.Management.Automation;
using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Removes hist triggers: those Get-TraceHistogram -Trigger lists, or every one of the named events.</summary>
[Cmdlet(VerbsCommon.Remove, "TraceHistogram", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveTraceHistogramCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EventName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[] Event { get; set; } = [];

    /// <summary>Only the trigger with this definition (from Get-TraceHistogram -Trigger); all of the event's when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Definition { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        Terminating(() => HistTriggers.Require(inst), "HistTriggersNotSupported", inst.DisplayName);
        var events = Terminating(() => EventSelector.Resolve(inst, Event), "EventNotFound", Event);
        foreach (var t in HistTriggers.List(inst, events))
        {
            if (Definition is not null && t.Definition != Definition) continue;
            if (!ShouldProcess($"{t.EventName} in instance {inst.DisplayName}", $"Remove hist trigger '{t.Definition}'")) continue;
            NonTerminating(() => HistTriggers.Remove(inst, t), "RemoveHistogramFailed", t);
        }
    }
}
