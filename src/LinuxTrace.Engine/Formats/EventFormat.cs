namespace LinuxTrace.Engine.Formats;

/// <summary>How a field's bytes are laid out in a record.</summary>
public enum FieldKind
{
    /// <summary>A fixed-size integer (1, 2, 4 or 8 bytes).</summary>
    Scalar,
    /// <summary>A fixed-size char array (char comm[16]): a NUL-padded string.</summary>
    FixedString,
    /// <summary>A fixed-size array of integers (unsigned long args[6]).</summary>
    FixedArray,
    /// <summary>__data_loc char[]: a string stored after the fixed fields, offset from the record start.</summary>
    DataLocString,
    /// <summary>__data_loc of another element type: a dynamic array.</summary>
    DataLocArray,
    /// <summary>__rel_loc char[]: like __data_loc, offset relative to the end of the field.</summary>
    RelLocString,
    /// <summary>__rel_loc of another element type.</summary>
    RelLocArray,
}

internal enum IntegerShape : byte { None, U8, S8, U16, S16, U32, S32, I64 }

/// <summary>
/// A field reduced to what decoding it needs (place, size, layout, how an integer is loaded), in a small struct:
/// <see cref="EventFormat.Slots"/> holds one per field in one array, for loops that read every field of many records
/// without following a reference per field. Read values with <see cref="Events.FieldDecoder"/>.
/// </summary>
public readonly struct FieldSlot
{
    internal FieldSlot(FieldFormat f)
    {
        Offset = f.Offset;
        Size = f.Size;
        ElementSize = f.ElementSize;
        Kind = f.Kind;
        IsFlexible = f.IsFlexible;
        Shape = f.Kind != FieldKind.Scalar ? IntegerShape.None : (f.Size, f.IsSigned) switch
        {
            (1, false) => IntegerShape.U8, (1, true) => IntegerShape.S8,
            (2, false) => IntegerShape.U16, (2, true) => IntegerShape.S16,
            (4, false) => IntegerShape.U32, (4, true) => IntegerShape.S32,
            (8, _) => IntegerShape.I64,
            _ => IntegerShape.None,
        };
    }

    public int Offset { get; }
    public int Size { get; }
    public int ElementSize { get; }
    public FieldKind Kind { get; }
    public bool IsFlexible { get; }
    internal IntegerShape Shape { get; }

    public bool IsString => Kind is FieldKind.FixedString or FieldKind.DataLocString or FieldKind.RelLocString;
    public bool IsDynamic => Kind is FieldKind.DataLocString or FieldKind.DataLocArray or FieldKind.RelLocString or FieldKind.RelLocArray;
    public bool IsRelative => Kind is FieldKind.RelLocString or FieldKind.RelLocArray;
}

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

/// <summary>An event's format: its id, system, name, fields and print format.</summary>
public sealed class EventFormat
{
    public required string System { get; init; }
    public required string Name { get; init; }
    public int Id { get; init; }
    public required IReadOnlyList<FieldFormat> Fields { get; init; }
    public string PrintFormat { get; init; } = "";

    /// <summary>The format file's text as the kernel (or the trace.dat file) gave it.</summary>
    public string Text { get; init; } = "";

    private FieldFormat[]? _fieldArray;

    /// <summary>The fields as an array, for loops on hot paths (no enumerator).</summary>
    public FieldFormat[] FieldArray => _fieldArray ??= Fields.ToArray();

    private FieldSlot[]? _slots;

    /// <summary>Every field's <see cref="FieldSlot"/>, in the order of <see cref="Fields"/>.</summary>
    public FieldSlot[] Slots => _slots ??= FieldArray.Select(f => f.Slot).ToArray();

    /// <summary>The event's own fields (not common_*).</summary>
    public IEnumerable<FieldFormat> OwnFields => Fields.Where(f => !f.IsCommon);

    public FieldFormat? GetField(string name)
    {
        foreach (var f in Fields) if (f.Name == name) return f;
        return null;
    }

    /// <summary>Bytes of the fixed part of a record (end of the last field).</summary>
    public int FixedSize => Fields.Count == 0 ? 0 : Fields.Max(f => f.Offset + f.Size);

    public string FullName => System + ":" + Name;

    public override string ToString() => FullName;
}
