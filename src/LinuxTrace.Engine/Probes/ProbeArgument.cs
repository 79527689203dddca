namespace LinuxTrace;

/// <summary>A named fetch argument of a probe: <c>Name=Fetch[:Type]</c> (filename=+0(%si):string). The event gets a
/// field, and the event object a property, under <see cref="Name"/>.</summary>
public sealed record ProbeArgument(string Name, string Fetch, string? Type = null)
{
    /// <summary>The argument as the kernel takes it.</summary>
    public override string ToString() => Type is null ? $"{Name}={Fetch}" : $"{Name}={Fetch}:{Type}";
}
