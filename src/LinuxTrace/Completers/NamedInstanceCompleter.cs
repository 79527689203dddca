using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Named instances only (for New/Remove).</summary>
public sealed class NamedInstanceCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => TraceFileSystem.Default.GetInstances().Select(i => i.Name);
}
