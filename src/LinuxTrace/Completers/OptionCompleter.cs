using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LinuxTrace.Commands;

/// <summary>Trace options of the instance being typed.</summary>
public sealed class OptionCompleter : KernelValueCompleter
{
    protected override IEnumerable<string> Values(IDictionary b) => InstanceOf(b).GetOptions().Select(o => o.Name);
}
