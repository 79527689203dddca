using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>Names of this process's running trace sessions and of the host's detached traces.</summary>
public sealed class SessionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        TraceSession.GetActive().Select(s => s.Name).Concat(Engine.Sessions.DetachedTrace.GetAll(Engine.Tracefs.TraceFileSystem.Default).Select(t => t.Name));
}
