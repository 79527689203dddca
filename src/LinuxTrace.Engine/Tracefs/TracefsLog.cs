namespace LinuxTrace.Engine.Tracefs;

/// <summary>
/// Says each change LinuxTrace makes to tracefs (a write, an instance made or removed) to whoever listens on the
/// calling flow: a cmdlet's -Verbose. The listener is per async flow (AsyncLocal), so runspaces and threads of
/// other traces do not hear each other; changes made on other threads (a drainer, a signal's teardown) go unheard.
/// </summary>
public static class TracefsLog
{
    private static readonly AsyncLocal<Action<string>?> Listener = new();

    /// <summary>Listens on this flow from now on (replacing any earlier listener); null stops.</summary>
    public static void Listen(Action<string>? listener) => Listener.Value = listener;

    /// <summary>True when a listener hears this flow (the message need not be built otherwise).</summary>
    internal static bool Listening => Listener.Value is not null;

    internal static void Say(string message)
    {
        if (Listener.Value is not { } l) return;
        try { l(message); }
        catch (Exception) { } // a listener that cannot take it (its command has ended) does not stop the change
    }
}
