using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Commands;

/// <summary>Event trigger commands this kernel has (from an event's trigger file), and after enable_event: or
/// disable_event: the events they can switch.</summary>
public sealed class TriggerCompleter : IArgumentCompleter
{
    private sealed class ForWord(string word) : KernelValueCompleter
    {
        protected override IEnumerable<string> Values(IDictionary b)
        {
            var inst = InstanceOf(b);
            var events = EventSelector.Available(inst);
            foreach (var prefix in new[] { "enable_event:", "disable_event:" })
            {
                if (word.StartsWith(prefix, StringComparison.Ordinal)) return events.Select(e => prefix + e.System + ":" + e.Name);
            }
            // every event's trigger file lists the same commands: ask the first
            var commands = events.Count == 0 ? [] : inst.AvailableTriggers(events[0].System, events[0].Name);
            return commands.Select(c => c is "enable_event" or "disable_event" ? c + ":" : c);
        }
    }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        new ForWord(wordToComplete.Trim('\'', '"')).CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters);
}
