using System.Buffers.Binary;
using System.Text;
using LinuxTrace.Engine.Symbols;

namespace LinuxTrace.Engine.Formats;

/// <summary>
/// What rendering an event's print format needs besides its format: the record's bytes (common header included),
/// the kernel's long size, kernel symbols (for %ps/%pS) and the trace_printk format strings (for bprint and for
/// %s of a pointer to a constant string).
/// </summary>
public readonly ref struct PrintContext
{
    public PrintContext(ReadOnlySpan<byte> record, int longSize, SymbolTable? symbols, PrintkFormats? printk)
    {
        Record = record;
        LongSize = longSize;
        Symbols = symbols;
        Printk = printk;
    }

    public ReadOnlySpan<byte> Record { get; }
    public int LongSize { get; }
    public SymbolTable? Symbols { get; }
    public PrintkFormats? Printk { get; }

    /// <summary>An unsigned number of 1, 2, 4 or 8 bytes at <paramref name="offset"/>; 0 when it lies outside the record
    /// (libtraceevent's tep_read_number: fields are read unsigned, casts and conversions give them a sign).</summary>
    public ulong ReadNumber(int offset, int size)
    {
        if (offset < 0 || size <= 0 || offset + size > Record.Length) return 0;
        var b = Record.Slice(offset, size);
        return size switch
        {
            1 => b[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(b),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(b),
            _ => 0,
        };
    }

    /// <summary>Where a __data_loc / __rel_loc field's data is, and how long it is (0, 0 when out of bounds).</summary>
    public (int Offset, int Length) Dynamic(FieldFormat f)
    {
        if (f.Offset + f.Size > Record.Length) return (0, 0);
        ulong word = ReadNumber(f.Offset, f.Size);
        int offset = (int)(word & 0xffff);
        int length = f.Size == 2 ? Record.Length - offset : (int)((word >> 16) & 0xffff);
        if (f.Kind is FieldKind.RelLocString or FieldKind.RelLocArray) offset += f.Offset + f.Size;
        if (offset > Record.Length) offset = 0;
        if (offset + length > Record.Length) length = 0;
        return (offset, length);
    }

    /// <summary>A NUL-terminated string starting at <paramref name="offset"/>, at most <paramref name="max"/> bytes.</summary>
    public string CString(int offset, int max)
    {
        if (offset < 0 || offset >= Record.Length) return "";
        var s = Record[offset..];
        if (max >= 0 && max < s.Length) s = s[..max];
        int nul = s.IndexOf((byte)0);
        if (nul >= 0) s = s[..nul];
        return Encoding.UTF8.GetString(s);
    }
}
