using System.Management.Automation;
using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Reads the hist triggers' tables (an event's hist file) into groups: keys under their field names, Count, and Sum of the first value.</summary>
[Cmdlet(VerbsCommon.Get, "TraceHistogram")]
[OutputType(typeof(TraceEventGroup), typeof(TraceHistogramTrigger))]
public sealed class GetTraceHistogramCommand : LinuxTraceCmdlet
{
    /// <summary>Events (system:event patterns); every event that has a hist trigger when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EventName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[]? Event { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    /// <summary>List the triggers themselves (to pipe to Remove-TraceHistogram) instead of their tables.</summary>
    [Parameter]
    public SwitchParameter Trigger { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        Terminating(() => HistTriggers.Require(inst), "HistTriggersNotSupported", inst.DisplayName);
        var events = Event is null ? null : Terminating(() => EventSelector.Resolve(inst, Event), "EventNotFound", Event);
        var triggers = HistTriggers.List(inst, events);
        if (Trigger) { WriteObject(triggers, enumerateCollection: true); return; }
        var syscalls = Engine.Symbols.SyscallTable.ForThisMachine();
        foreach (var name in triggers.Select(t => t.EventName).Distinct())
        {
            var tables = Terminating(() => HistTriggers.Read(inst, EventName.Parse(name), syscalls), "ReadHistogramFailed", name);
            foreach (var table in tables) WriteObject(table, enumerateCollection: true);
        }
    }
}
