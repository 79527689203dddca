using LinuxTrace.Engine.Events;
using LinuxTrace.Engine.Formats;
using LinuxTrace.Engine.Tracefs;

namespace LinuxTrace.Engine.Sessions;

/// <summary>
/// Event triggers a session adds for its length (-Trigger): added through the instance, remembered to be removed, and,
/// when the kernel refuses one, explained (the kernel's error_log stays silent for triggers): a command it does not
/// have, a count that is not a number, an event to switch that does not exist, or a filter it cannot parse.
/// </summary>
internal static class EventTriggers
{
    /// <summary>Adds <paramref name="trigger"/> to <paramref name="e"/> (remembered in <paramref name="restore"/> to be
    /// removed); a refused trigger is a BadTrigger error that says which part the kernel refused.</summary>
    public static void Add(TraceInstance instance, InstanceState? restore, EventCatalog catalog, EventName e, string trigger)
    {
        trigger = trigger.Trim();
        try
        {
            instance.AddEventTrigger(e.System, e.Name, trigger);
        }
        catch (TraceException ex) when (ex.Kind is TraceErrorKind.InvalidArgument or TraceErrorKind.AlreadyExists or TraceErrorKind.NotFound)
        {
            // the kernel logs no explanation for a trigger (error_log stays silent): find the part it refused
            var explained = ex.Kind == TraceErrorKind.AlreadyExists ? null : Explain(instance, e, trigger);
            string why = ex.Kind == TraceErrorKind.AlreadyExists ? $"{e} already has a trigger of this kind ({ex.Message})"
                : explained?.Message ?? ex.Message;
            throw new TraceException(TraceErrorKind.InvalidArgument, $"Bad trigger '{trigger}' for {e}: {why}", ex.Path, ex.Errno, ex)
            {
                KernelMessage = explained?.KernelMessage ?? ex.KernelMessage,
                KernelErrorPosition = explained is null ? ex.KernelErrorPosition : explained.KernelErrorPosition,
                ErrorId = "BadTrigger",
            };
        }
        restore?.RememberTrigger(e, trigger);
        if (Target(trigger) is { } target) catalog.GetByName(target.System, target.Name);
    }

    // a trigger's command part split at ':' ("stacktrace:5 if …" gives stacktrace, 5; "enable_event:sched:sched_wakeup")
    private static string[] Head(string trigger) => trigger.Trim().Split(' ', 2)[0].Split(':');

    /// <summary>Why the kernel refused a trigger: a command it does not have (the trigger file lists those it has), or
    /// a filter it cannot parse (tried on the event's filter file, which explains itself, and put back at once: the event
    /// is not enabled yet). Null when neither is the reason.</summary>
    private static TraceException? Explain(TraceInstance instance, EventName e, string trigger)
    {
        var head = Head(trigger);
        string command = head[0];
        var available = instance.AvailableTriggers(e.System, e.Name);
        if (available.Count > 0 && !available.Contains(command))
            return new TraceException(TraceErrorKind.InvalidArgument, $"this kernel has no '{command}' trigger; it has {string.Join(", ", available)}");
        // cmd[:count], enable_event:system:event[:count]: a count is a whole number
        int countAt = command is "enable_event" or "disable_event" ? 3 : 1;
        if (command != "hist" && head.Length > countAt && !uint.TryParse(head[countAt], out _))
            return new TraceException(TraceErrorKind.InvalidArgument, $"its count '{head[countAt]}' is not a whole number (the syntax is {(countAt == 3 ? command + ":system:event" : command)}[:count] [if filter])");
        if (command is "enable_event" or "disable_event" && (head.Length < 3 || !instance.EventExists(head[1], head[2])))
            return new TraceException(TraceErrorKind.InvalidArgument, head.Length < 3 ? $"{command} needs the event it switches ({command}:system:event)" : $"there is no event {head[1]}:{head[2]} to switch");
        int at = trigger.IndexOf(" if ", StringComparison.Ordinal);
        if (at < 0) return null;
        string filter = trigger[(at + 4)..].Trim();
        string? old = instance.GetEventFilter(e.System, e.Name);
        try
        {
            instance.SetEventFilter(e.System, e.Name, filter);
            return null;
        }
        catch (TraceException fx) when (fx.Kind == TraceErrorKind.InvalidArgument)
        {
            return new TraceException(TraceErrorKind.InvalidArgument, $"its filter is refused. {fx.Message}")
            {
                KernelMessage = fx.KernelMessage, KernelErrorPosition = fx.KernelErrorPosition,
            };
        }
        finally
        {
            try { instance.SetEventFilter(e.System, e.Name, old); } catch (TraceException) { }
        }
    }

    /// <summary>The event an enable_event / disable_event trigger switches ('enable_event:sched:sched_wakeup:2 if …').</summary>
    public static EventName? Target(string trigger)
    {
        var parts = Head(trigger);
        return parts.Length >= 3 && parts[0] is "enable_event" or "disable_event" ? new EventName(parts[1], parts[2]) : null;
    }
}
