using LinuxTrace.Engine.Formats;

namespace LinuxTrace;

/// <summary>One field of an event type.</summary>
public sealed class TraceEventField
{
    internal TraceEventField(FieldFormat f)
    {
        Name = f.Name;
        CType = f.CType;
        Offset = f.Offset;
        Size = f.Size;
        Signed = f.IsSigned;
        Kind = f.Kind.ToString();
        Type = f.ClrType.Name;
        IsCommon = f.IsCommon;
    }

    public string Name { get; }
    /// <summary>The C type as the kernel declares it (char[16], __data_loc char[], pid_t...).</summary>
    public string CType { get; }
    public int Offset { get; }
    public int Size { get; }
    public bool Signed { get; }
    /// <summary>Scalar, FixedString, FixedArray, DataLocString, DataLocArray, RelLocString, RelLocArray.</summary>
    public string Kind { get; }
    /// <summary>The .NET type of the decoded value.</summary>
    public string Type { get; }
    public bool IsCommon { get; }

    public override string ToString() => $"{CType} {Name}";
}
