namespace LinuxTrace.Engine.Tracefs;

/// <summary>An event by system and name.</summary>
public readonly record struct EventName(string System, string Name)
{
    public override string ToString() => System + ":" + Name;

    public static EventName Parse(string text)
    {
        int c = text.IndexOf(':');
        if (c < 0) c = text.IndexOf('/');
        if (c < 0) throw new ArgumentException($"'{text}' is not system:event.");
        return new EventName(text[..c], text[(c + 1)..]);
    }
}
