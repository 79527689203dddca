using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LinuxTrace.Engine.Formats;

namespace LinuxTrace.Engine.Events;

/// <summary>
/// Decodes one field of a raw record (common header included) as its format describes it: in place for fixed
/// fields, behind the __data_loc / __rel_loc word for dynamic ones, to the end of the record for flexible
/// arrays. Allocation-free; shared by the event objects and by engine-side readers that need no objects.
/// </summary>
public static class FieldDecoder
{
    static FieldDecoder()
    {
        // the loads below are little-endian, as every page LinuxTrace reads (see PageDecoder)
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("LinuxTrace reads little-endian trace data on little-endian hosts.");
    }

    /// <summary>The bytes of the field's value; empty when the record is too short to hold it.</summary>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> record, FieldFormat f) => Data(record, in f.Slot);

    /// <inheritdoc cref="Data(ReadOnlySpan{byte}, FieldFormat)"/>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> record, scoped in FieldSlot f)
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
        if (f.IsRelative) offset += f.Offset + f.Size;
        if (offset > record.Length) return default;
        if (length < 0 || offset + length > record.Length) length = record.Length - offset;
        return record.Slice(offset, length);
    }

    /// <summary>A scalar field as a 64-bit integer (sign-extended when the field is signed); long.MinValue when absent.</summary>
    public static long ReadInteger(ReadOnlySpan<byte> record, FieldFormat f) => ReadInteger(record, in f.Slot);

    /// <inheritdoc cref="ReadInteger(ReadOnlySpan{byte}, FieldFormat)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ReadInteger(ReadOnlySpan<byte> record, scoped in FieldSlot f)
    {
        int off = f.Offset;
        // one switch on size and sign (precomputed), one bounds check, an unaligned load
        switch (f.Shape)
        {
            case IntegerShape.U8: if ((uint)off < (uint)record.Length) return record[off]; break;
            case IntegerShape.S8: if ((uint)off < (uint)record.Length) return (sbyte)record[off]; break;
            case IntegerShape.U16: if ((uint)off + 2u <= (uint)record.Length) return Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), off)); break;
            case IntegerShape.S16: if ((uint)off + 2u <= (uint)record.Length) return Unsafe.ReadUnaligned<short>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), off)); break;
            case IntegerShape.U32: if ((uint)off + 4u <= (uint)record.Length) return Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), off)); break;
            case IntegerShape.S32: if ((uint)off + 4u <= (uint)record.Length) return Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), off)); break;
            case IntegerShape.I64: if ((uint)off + 8u <= (uint)record.Length) return Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), off)); break;
        }
        return long.MinValue;
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
