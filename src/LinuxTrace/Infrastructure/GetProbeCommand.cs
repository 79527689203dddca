using System.Management.Automation;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

public abstract class GetProbeCommand : ProbeCommandBase
{
    /// <summary>Probe names or group:name (wildcards).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ProbeNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Group { get; set; }

    protected override void ProcessRecord()
    {
        var all = Probes();
        var hits = Matching(all, Name, Group).ToArray();
        foreach (var p in hits) WriteObject(p);
        ReportUnmatched(Name, hits.Select(p => p.Name).Concat(hits.Select(p => p.EventName)), Family, "ProbeNotFound", all.Select(p => p.Name));
    }
}
