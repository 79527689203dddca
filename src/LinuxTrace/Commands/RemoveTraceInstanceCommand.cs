using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Removes trace instances (their buffers are freed).</summary>
[Cmdlet(VerbsCommon.Remove, "TraceInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveTraceInstanceCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamedInstanceCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        var existing = fs.GetInstances().Select(i => i.Name).ToArray();
        foreach (var n in Name)
        {
            string[] targets = WildcardPattern.ContainsWildcardCharacters(n)
                ? existing.Where(new WildcardPattern(n, WildcardOptions.IgnoreCase).IsMatch).ToArray()
                : [n];
            foreach (var t in targets)
            {
                if (Engine.Tracefs.TraceFileSystem.IsTopName(t))
                {
                    WriteError(new ErrorRecord(new InvalidOperationException("The top instance cannot be removed."), "CannotRemoveTop", ErrorCategory.InvalidOperation, t));
                    continue;
                }
                var owner = TraceSession.GetActive().FirstOrDefault(s => s.OwnsInstance && s.Instance.Name == t);
                if (!ShouldProcess($"trace instance {t}", "Remove")) continue;
                if (owner is not null)
                {
                    owner.Stop(); // a session of ours: end it properly
                    continue;
                }
                if (NonTerminating(() => fs.RemoveInstance(t), "RemoveInstanceFailed", t))
                    Engine.Probes.ProbeLedger.RemoveLeftovers(fs, t); // probes a killed LinuxTrace made for that trace
            }
        }
    }
}
