namespace LinuxTrace.Engine.Formats;

/// <summary>One field of an event format, as the kernel describes it in events/.../format.</summary>
public sealed class FieldFormat
{
    public required string Name { get; init; }
    /// <summary>The C type as written in the format file (e.g. "char prev_comm[16]" gives "char[16]").</summary>
    public required string CType { get; init; }
    public int Offset { get; init; }
    public int Size { get; init; }
    public bool IsSigned { get; init; }
    public FieldKind Kind { get; init; }
    /// <summary>Element size of arrays (1 for char arrays); Size for scalars.</summary>
    public int ElementSize { get; init; }
    /// <summary>Element count of fixed arrays; 0 otherwise.</summary>
    public int ArrayLength { get; init; }
    /// <summary>A trailing flexible array (type name[] with size 0): its data is the rest of the record.</summary>
    public bool IsFlexible { get; init; }

    /// <summary>True for the common_* header fields.</summary>
    public bool IsCommon { get; init; }

    private FieldSlot _slot;
    private volatile bool _hasSlot;

    /// <summary>Where the field lies and how it is loaded, worked out once (see <see cref="FieldSlot"/>).</summary>
    public ref readonly FieldSlot Slot
    {
        get
        {
            if (!_hasSlot)
            {
                _slot = new FieldSlot(this);
                _hasSlot = true;
            }
            return ref _slot;
        }
    }

    /// <summary>The .NET type a decoded value has.</summary>
    public Type ClrType => Kind switch
    {
        FieldKind.FixedString or FieldKind.DataLocString or FieldKind.RelLocString => typeof(string),
        FieldKind.FixedArray or FieldKind.DataLocArray or FieldKind.RelLocArray => ElementType.MakeArrayType(),
        _ => ElementType,
    };

    /// <summary>The .NET type of one element (or of the scalar).</summary>
    public Type ElementType => (ElementSize, IsSigned) switch
    {
        (1, _) when IsBool => typeof(bool),
        (1, true) => typeof(sbyte),
        (1, false) => typeof(byte),
        (2, true) => typeof(short),
        (2, false) => typeof(ushort),
        (4, true) => typeof(int),
        (4, false) => typeof(uint),
        (8, true) => typeof(long),
        (8, false) => typeof(ulong),
        _ => typeof(byte),
    };

    private bool IsBool => CType.StartsWith("bool", StringComparison.Ordinal) || CType.StartsWith("_Bool", StringComparison.Ordinal);

    public bool IsDynamic => Slot.IsDynamic;

    public override string ToString() => $"{CType} {Name}; offset:{Offset}; size:{Size}; signed:{(IsSigned ? 1 : 0)}";
}
