using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Shows the tracing state of instances, as trace-cmd stat does.</summary>
[Cmdlet(VerbsCommon.Get, "TraceStatus")]
[OutputType(typeof(TraceStatus))]
public sealed class GetTraceStatusCommand : LinuxTraceCmdlet
{
    /// <summary>Instances to report (top by default); wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstanceCompleter))]
    public string[]? Instance { get; set; }

    /// <summary>Report every instance, the top one included.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        if (All)
        {
            WriteObject(TraceListing.Status(fs.Top));
            foreach (var i in fs.GetInstances()) WriteObject(TraceListing.Status(i));
            return;
        }
        if (Instance is null || Instance.Length == 0)
        {
            WriteObject(TraceListing.Status(fs.Top));
            return;
        }
        foreach (var name in Instance)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                var p = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                if (p.IsMatch("top")) WriteObject(TraceListing.Status(fs.Top));
                foreach (var i in fs.GetInstances()) if (p.IsMatch(i.Name)) WriteObject(TraceListing.Status(i));
            }
            else
            {
                NonTerminating(() => WriteObject(TraceListing.Status(fs.GetInstance(name))), "InstanceNotFound", name);
            }
        }
    }
}
