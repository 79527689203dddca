using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Lists the events the kernel can record, with their fields and print format.</summary>
[Cmdlet(VerbsCommon.Get, "TraceEventType")]
[OutputType(typeof(TraceEventType))]
public sealed class GetTraceEventTypeCommand : LinuxTraceCmdlet
{
    /// <summary>Event names: sched_switch, sched:sched_switch, sched:*, *open*.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EventSystemCompleter))]
    public string[]? System { get; set; }

    /// <summary>The instance whose Enabled state is reported (top by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        var systems = Matcher(System);
        var all = Terminating(() => EventSelector.Available(inst.Tracefs.Top, includeFtrace: true), "ReadEventTypesFailed", Name);
        // the same matching as Start-Trace -Event: "sched" is every sched event when no event is named sched
        var selected = new HashSet<EventName>(Name is null ? all : Name.SelectMany(n => EventSelector.Match(all, n)));
        Terminating(() =>
        {
            foreach (var t in TraceListing.EventTypes(inst, e => selected.Contains(e) && systems(e.System))) WriteObject(t);
        }, "ReadEventTypesFailed", Name);
        foreach (var n in Name ?? [])
        {
            if (WildcardPattern.ContainsWildcardCharacters(n) || EventSelector.Match(all, n).Any()) continue;
            WriteError(new ErrorRecord(EventSelector.NotFound(all, n), "EventNotFound", ErrorCategory.ObjectNotFound, n));
        }
    }
}
