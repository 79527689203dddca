using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Names of existing probes: kprobes for the *-KProbe commands, uprobes for *-UProbe.</summary>
public sealed class ProbeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<DynamicProbe> probes;
        try { probes = Engine.Tracefs.DynamicEvents.List(TraceFileSystem.Default); }
        catch (Exception) { yield break; }
        bool kernel = commandName.EndsWith("KProbe", StringComparison.OrdinalIgnoreCase);
        bool user = commandName.EndsWith("UProbe", StringComparison.OrdinalIgnoreCase);
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var p in probes)
        {
            if ((kernel && !p.IsKernel) || (user && !p.IsUser) || !pattern.IsMatch(p.Name)) continue;
            yield return new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue, p.Definition);
        }
    }
}
