using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>Removes trace instances (their buffers are freed). A wildcard takes only the instances LinuxTrace made
/// (its traces' private ones, New-TraceInstance's); another tool's needs its name, or -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "TraceInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveTraceInstanceCommand : LinuxTraceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamedInstanceCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Lets a wildcard remove instances LinuxTrace did not make (another tool's tracing).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var fs = Tracefs;
        var existing = fs.GetInstances().Select(i => i.Name).ToArray();
        foreach (var n in Name)
        {
            bool wildcard = WildcardPattern.ContainsWildcardCharacters(n);
            string[] targets = wildcard ? existing.Where(new WildcardPattern(n, WildcardOptions.IgnoreCase).IsMatch).ToArray() : [n];
            var others = wildcard && !Force ? targets.Where(t => !Engine.Sessions.InstanceOwnership.MadeByLinuxTrace(t)).ToArray() : [];
            if (others.Length > 0)
                WriteWarning($"'{n}' left {string.Join(", ", others)}: LinuxTrace did not make {(others.Length == 1 ? "it" : "them")} (another tool's tracing, or made by hand). Name {(others.Length == 1 ? "it" : "one")}, or add -Force, to remove {(others.Length == 1 ? "it" : "them")}.");
            foreach (var t in targets.Except(others))
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
                NonTerminating(() =>
                {
                    // the instance off and removed, then what a killed LinuxTrace made for it (its probes, its note)
                    var inst = fs.GetInstance(t);
                    var errors = Engine.Sessions.InstanceOwnership.Retire(inst);
                    if (inst.Exists) throw errors.Count > 0 ? errors[^1] : new Engine.Tracefs.TraceException(Engine.Tracefs.TraceErrorKind.Busy, $"Trace instance '{t}' is still there after rmdir.", inst.Path);
                }, "RemoveInstanceFailed", t);
            }
        }
    }
}
