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
        var patterns = (Name ?? ["*"]).Select(p => p.Contains(':') ? p : "*:" + p).Select(p =>
        {
            int c = p.IndexOf(':');
            return (sys: new WildcardPattern(p[..c], WildcardOptions.IgnoreCase), name: new WildcardPattern(p[(c + 1)..], WildcardOptions.IgnoreCase));
        }).ToArray();
        bool Match(EventName e) => systems(e.System) && patterns.Any(p => p.sys.IsMatch(e.System) && p.name.IsMatch(e.Name));
        int count = 0;
        Terminating(() =>
        {
            foreach (var t in TraceListing.EventTypes(inst, Match))
            {
                WriteObject(t);
                count++;
            }
        }, "ReadEventTypesFailed", Name);
        if (Name is not null)
        {
            var all = EventSelector.Available(inst.Tracefs.Top, includeFtrace: true);
            foreach (var n in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(n)) continue;
                if (EventSelector.Match(all, n).Any()) continue;
                WriteError(new ErrorRecord(EventSelector.NotFound(all, n), "EventNotFound", ErrorCategory.ObjectNotFound, n));
            }
        }
    }
}
