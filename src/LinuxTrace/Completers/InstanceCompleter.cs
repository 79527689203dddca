using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Instance names, plus "top".</summary>
public sealed class InstanceCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) =>
        TraceFileSystem.Default.GetInstances().Select(i => i.Name).Prepend("top");
}
