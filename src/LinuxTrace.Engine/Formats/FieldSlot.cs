namespace LinuxTrace.Engine.Formats;

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
