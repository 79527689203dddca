namespace LinuxTrace.Engine.Formats;

internal enum IntegerShape : byte { None, U8, S8, U16, S16, U32, S32, I64 }

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
