using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>Trace clocks of the instance being typed.</summary>
public sealed class ClockCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).AvailableClocks;
}
