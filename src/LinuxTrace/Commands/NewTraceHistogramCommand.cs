using System.Management.Automation;
using LinuxTrace.Engine.Aggregation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Adds a hist trigger to an event: the kernel counts (and sums) by key as the event fires; no event data
/// leaves the kernel. Get-TraceHistogram reads the result, Remove-TraceHistogram removes the trigger.</summary>
[Cmdlet(VerbsCommon.New, "TraceHistogram", SupportsShouldProcess = true)]
[OutputType(typeof(TraceHistogramTrigger))]
public sealed class NewTraceHistogramCommand : LinuxTraceCmdlet
{
    /// <summary>The event (system:event).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(EventCompleter))]
    public string Event { get; set; } = "";

    /// <summary>Key fields, with the kernel's modifiers where wanted: call_site.sym, id.syscall, common_pid.execname, bytes_req.log2.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string[] Key { get; set; } = [];

    /// <summary>Numeric fields to sum per key (hitcount is always counted).</summary>
    [Parameter]
    public string[] Value { get; set; } = [];

    /// <summary>A filter in the kernel's syntax: only events it matches are counted.</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>Sort keys (hitcount.descending, bytes_req …).</summary>
    [Parameter]
    public string[] Sort { get; set; } = [];

    /// <summary>How many entries the kernel's table holds (a power of two; 2048 by default).</summary>
    [Parameter]
    [ValidateRange(1, 1 << 17)]
    public int? Size { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string? Instance { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var inst = ResolveInstance(Instance);
        Terminating(() => HistTriggers.Require(inst), "HistTriggersNotSupported", inst.DisplayName);
        var e = Terminating(() => EventSelector.Resolve(inst, [Event]).Single(), "EventNotFound", Event);
        string def = Terminating(() => HistTriggers.Compose(Key, Value, Sort, Size, Filter), "InvalidHistogram", Event);
        if (!ShouldProcess($"{e} in instance {inst.DisplayName}", $"Add hist trigger '{def}'")) return;
        var t = Terminating(() => HistTriggers.Add(inst, e, def), "HistTriggerRejected", def);
        if (PassThru) WriteObject(t);
    }
}
