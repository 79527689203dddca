using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

public abstract class RemoveProbeCommand : ProbeCommandBase
{
    /// <summary>Probe names or group:name (wildcards); from Get-KProbe / Get-UProbe by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ProbeNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Group { get; set; }

    /// <summary>Disable the probe wherever it is enabled (ending what those traces see of it), then remove it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var all = Probes();
        var targets = Matching(all, Name, Group).ToArray();
        ReportUnmatched(Name, targets.Select(p => p.Name).Concat(targets.Select(p => p.EventName)), Family, "ProbeNotFound", all.Select(p => p.Name));
        foreach (var p in targets)
        {
            string action = p.IsEnabled && Force ? $"Disable (in {string.Join(", ", p.EnabledIn)}) and remove" : "Remove";
            if (!ShouldProcess($"{Family} {p.EventName} ({p.Definition})", action)) continue;
            NonTerminating(() => DynamicEvents.Remove(Tracefs, p, Force), "RemoveProbeFailed", p);
        }
    }
}
