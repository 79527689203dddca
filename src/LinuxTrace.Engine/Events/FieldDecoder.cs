using System.Buffers.Binary;
using LinuxTrace.Engine.Formats;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Decodes one field of a raw record (common header included) as its format describes it: in place for fixed
/// fields, behind the __data_loc / __rel_loc word for dynamic ones, to the end of the record for flexible
/// arrays. Allocation-free; shared by the event objects and by engine-side readers that need no objects.
/// </summary>
public static class FieldDecoder
{
    /// <summary>The bytes of the field's value; empty when the record is too short to hold it.</summary>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> record, FieldFormat f)
    {
        if (f.IsFlexible) return f.Offset <= record.Length ? record[f.Offset..] : default;
        if (f.Offset + f.Size > record.Length) return default;
        if (!f.IsDynamic) return record.Slice(f.Offset, f.Size);
        int offset, length;
        if (f.Size == 2)
        {
            offset = BinaryPrimitives.ReadUInt16LittleEndian(record[f.Offset..]);
            length = -1;
        }
        else
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(record[f.Offset..]);
            offset = (int)(word & 0xffff);
            length = (int)(word >> 16);
        }
        if (f.Kind is FieldKind.RelLocString or FieldKind.RelLocArray) offset += f.Offset + f.Size;
        if (offset > record.Length) return default;
        if (length < 0 || offset + length > record.Length) length = record.Length - offset;
        return record.Slice(offset, length);
    }

    /// <summary>A scalar field as a 64-bit integer (sign-extended when the field is signed); long.MinValue when absent.</summary>
    public static long ReadInteger(ReadOnlySpan<byte> record, FieldFormat f)
    {
        if (f.Offset + f.Size > record.Length) return long.MinValue;
        var b = record.Slice(f.Offset, f.Size);
        return f.Size switch
        {
            1 => f.IsSigned ? (sbyte)b[0] : b[0],
            2 => f.IsSigned ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            4 => f.IsSigned ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            8 => BinaryPrimitives.ReadInt64LittleEndian(b),
            _ => long.MinValue,
        };
    }

    /// <summary>A string field (char[N], __data_loc char[]) up to its NUL.</summary>
    public static string ReadString(ReadOnlySpan<byte> record, FieldFormat f)
    {
        var span = Data(record, f);
        int nul = span.IndexOf((byte)0);
        if (nul >= 0) span = span[..nul];
        return StringCache.Get(span);
    }
}
